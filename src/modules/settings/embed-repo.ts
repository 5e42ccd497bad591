// The widget's embed settings (one row per workspace), and the widget key's workspace read together with them in one
// statement: the widget session and the widget page need both, and the session answers within its statement budget.
import type { Db } from '../../db/index.js';
import { workspaceRowRepo } from '../../db/workspace-row-repo.js';

export const embedRows = workspaceRowRepo('embed_settings');

export const embedRepo = {
  /** The workspace of a widget key with its embed settings (null columns when none were saved). */
  widgetByKey: (db: Db, widgetKey: string) =>
    db
      .selectFrom('workspaces')
      .leftJoin('embed_settings', 'embed_settings.workspace_id', 'workspaces.id')
      .select([
        'workspaces.id as id',
        'embed_settings.color as color',
        'embed_settings.position as position',
        'embed_settings.greeting as greeting',
        'embed_settings.allowed_origins as allowed_origins',
      ])
      .where('workspaces.widget_key', '=', widgetKey)
      .executeTakeFirst(),
};
