/** The simulated Regions and their Availability Zones. KMS is Regional: each has its own endpoint and state. */
export interface RegionInfo {
  readonly name: string;
  readonly displayName: string;
  readonly availabilityZones: readonly string[];
}

export const REGIONS: readonly RegionInfo[] = [
  {
    name: 'us-east-1',
    displayName: 'US East (N. Virginia)',
    availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  },
  {
    name: 'us-west-2',
    displayName: 'US West (Oregon)',
    availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  },
  {
    name: 'eu-west-1',
    displayName: 'Europe (Ireland)',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  },
  {
    name: 'ap-southeast-2',
    displayName: 'Asia Pacific (Sydney)',
    availabilityZones: ['ap-southeast-2a', 'ap-southeast-2b', 'ap-southeast-2c'],
  },
];

export const DEFAULT_REGION = 'us-east-1';
export const isKnownRegion = (name: string): boolean => REGIONS.some((r) => r.name === name);
/** The shape AWS accepts for a Region name (ReplicaRegion, PrimaryRegion). */
export const REGION_PATTERN = /^([a-z]+-){2,3}\d+$/;
