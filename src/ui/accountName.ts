import { t } from './i18n/text.svelte.ts';

/** An account's nickname in the lab (`yours`, `partner`) in the learner's language. */
export function accountAlias(alias: string): string {
  switch (alias) {
    case 'yours':
      return t('app.accountYours');
    case 'partner':
      return t('app.accountPartner');
    default:
      return alias;
  }
}
