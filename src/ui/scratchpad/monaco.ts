/**
 * Monaco for the scratchpad, loaded as a lazy chunk the first time the scratchpad opens: the core
 * editor, its features and the TypeScript language (its worker gives completion, hover, errors and
 * the emit the runner executes).
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import * as ts from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TsWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import { toScriptBody } from './prepare.ts';
import { SNIPPETS } from './snippets.ts';
import { lineTable } from './sourceMap.ts';
import type { CompiledScript } from './runner.svelte.ts';

(self as unknown as { MonacoEnvironment: monaco.Environment }).MonacoEnvironment = {
  getWorker(_id: string, label: string): Worker {
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    return new EditorWorker();
  },
};

const SCRIPT_URI = monaco.Uri.parse('file:///scratchpad/script.ts');

ts.typescriptDefaults.setCompilerOptions({
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.NodeJs,
  // ModuleDetectionKind.Force: every script is a module, so top-level await is fine.
  moduleDetection: 3,
  lib: ['es2022', 'webworker'],
  strict: true,
  sourceMap: true,
  noEmitOnError: false,
  allowNonTsExtensions: true,
});
ts.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
ts.typescriptDefaults.setEagerModelSync(true);

let typesLib: monaco.IDisposable | null = null;
/** Gives the editor the `@aws-sdk/client-kms` and lab declarations. */
export function setTypes(dts: string): void {
  typesLib?.dispose();
  typesLib = ts.typescriptDefaults.addExtraLib(dts, 'file:///node_modules/@types/kms-lab/index.d.ts');
}

let snippetsRegistered = false;
function registerSnippets() {
  if (snippetsRegistered) return;
  snippetsRegistered = true;
  monaco.languages.registerCompletionItemProvider('typescript', {
    provideCompletionItems(model, position) {
      const word = model.getWordUntilPosition(position);
      const range = new monaco.Range(
        position.lineNumber,
        word.startColumn,
        position.lineNumber,
        word.endColumn,
      );
      return {
        suggestions: SNIPPETS.map((s) => ({
          label: `snippet: ${s.title}`,
          kind: monaco.languages.CompletionItemKind.Snippet,
          detail: s.description,
          documentation: s.description,
          insertText: s.code,
          range,
        })),
      };
    },
  });
}

export interface ScratchpadEditor {
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  getValue(): string;
  setValue(text: string): void;
  /** Transpiles the script; syntax errors come back instead of a script. */
  compile(): Promise<{ script: CompiledScript } | { errors: { line: number; message: string }[] }>;
  dispose(): void;
}

export function createEditor(
  el: HTMLElement,
  value: string,
  onChange: (text: string) => void,
  options: { dark: boolean; onRun: () => void; ariaLabel: string },
): ScratchpadEditor {
  registerSnippets();
  const model =
    monaco.editor.getModel(SCRIPT_URI) ?? monaco.editor.createModel(value, 'typescript', SCRIPT_URI);
  if (model.getValue() !== value) model.setValue(value);
  const editor = monaco.editor.create(el, {
    model,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 13,
    scrollBeyondLastLine: false,
    tabSize: 2,
    theme: options.dark ? 'vs-dark' : 'vs',
    fixedOverflowWidgets: true,
    ariaLabel: options.ariaLabel,
  });
  const sub = model.onDidChangeContent(() => onChange(model.getValue()));
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, options.onRun);
  return {
    editor,
    getValue: () => model.getValue(),
    setValue(text: string) {
      editor.executeEdits('kms-lab', [{ range: model.getFullModelRange(), text }]);
      editor.pushUndoStop();
    },
    async compile() {
      const worker = await (await ts.getTypeScriptWorker())(model.uri);
      const uri = model.uri.toString();
      const syntax = await worker.getSyntacticDiagnostics(uri);
      if (syntax.length)
        return {
          errors: syntax.map((d) => ({
            line: d.start === undefined ? 1 : model.getPositionAt(d.start).lineNumber,
            message: typeof d.messageText === 'string' ? d.messageText : d.messageText.messageText,
          })),
        };
      const out = await worker.getEmitOutput(uri);
      const js = out.outputFiles.find((f) => f.name.endsWith('.js'))?.text ?? '';
      const map = out.outputFiles.find((f) => f.name.endsWith('.js.map'))?.text;
      const mappings = map ? (JSON.parse(map) as { mappings: string }).mappings : '';
      return { script: { body: toScriptBody(js), lines: lineTable(mappings) } };
    },
    dispose() {
      sub.dispose();
      editor.dispose();
    },
  };
}
