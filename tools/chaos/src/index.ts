export { type CampaignOutcome, runCampaign } from './campaign.ts';
export { type ChaosOptions, parseOptions } from './options.ts';
export type { CampaignReport } from './report.ts';
