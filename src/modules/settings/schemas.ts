// TypeBox schemas of the settings module's answers: components of the OpenAPI document (by $id) that also
// serialise the responses.
import { Type } from '@sinclair/typebox';

export const FileUploadSettingsSchema = Type.Object(
  {
    visitorUploadsEnabled: Type.Boolean({ description: 'File upload for users (visitors)' }),
    agentUploadsEnabled: Type.Boolean({ description: 'File upload for operators (agents)' }),
    visitorAllowedTypes: Type.String({ description: 'Extensions joined by |, e.g. pdf|xlsx; "" allows any type' }),
    agentAllowedTypes: Type.String({ description: 'Extensions joined by |; "" allows any type' }),
    maxFileSizeKb: Type.Integer({ minimum: 1, description: 'One maximum for both sides, capped by the instance' }),
  },
  { $id: 'FileUploadSettings', title: 'FileUploadSettings' },
);

export const ContentSafetySettingsSchema = Type.Object(
  {
    whenScannerDown: Type.Union([Type.Literal('refuse'), Type.Literal('accept')], {
      description: 'refuse: 503 SCANNER_UNAVAILABLE; accept: store, hold and scan when the scanner is back',
    }),
    stripPhotoMetadata: Type.Boolean({ description: 'Remove location and camera data from photos' }),
    scannerConfigured: Type.Boolean({ description: 'Whether this server scans files (PARLEY_CLAMAV)' }),
  },
  { $id: 'ContentSafetySettings', title: 'ContentSafetySettings' },
);

const Position = Type.Union([Type.Literal('bottom-right'), Type.Literal('bottom-left')], {
  description: 'The corner of the page the launcher and the chat sit in',
});

export const WidgetAppearanceSchema = Type.Object(
  {
    color: Type.String({ pattern: '^#[0-9a-f]{6}$', description: "The widget's colour, #rrggbb" }),
    position: Position,
    greeting: Type.String({ description: 'Shown at the top of the chat before the conversation; "" for none' }),
  },
  { $id: 'WidgetAppearance', title: 'WidgetAppearance', description: "The widget's look, as the loader applies it" },
);

export const EmbedSettingsSchema = Type.Object(
  {
    color: Type.String({ pattern: '^#[0-9a-f]{6}$', description: "The widget's colour, #rrggbb" }),
    position: Position,
    greeting: Type.String({ maxLength: 300, description: 'Shown at the top of the chat; "" for none' }),
    allowedOrigins: Type.Array(Type.String(), {
      description: 'Websites allowed to embed the widget, scheme://host[:port] or https://*.example.com; [] = any',
    }),
  },
  { $id: 'EmbedSettings', title: 'EmbedSettings' },
);
