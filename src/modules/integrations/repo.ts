// The integrations' tables, one row per workspace each: the S3 bucket and the HTTP callback. Read by the settings
// pages (s3-settings.ts, callback-settings.ts) and by the deliveries planner (which integrations are on).
import { workspaceRowRepo } from '../../db/workspace-row-repo.js';

export const integrationsRepo = {
  s3: workspaceRowRepo('s3_integrations'),
  callback: workspaceRowRepo('callback_integrations'),
};
