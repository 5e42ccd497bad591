// The shared schemas: each becomes a named component of the OpenAPI document (#/components/schemas/<$id>) and is
// what Fastify serialises the matching responses with. Routes refer to them with Type.Ref(Schema).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ContentSafetySettingsSchema,
  EmbedSettingsSchema,
  FileUploadSettingsSchema,
  WidgetAppearanceSchema,
} from '../modules/settings/schemas.js';
import { ApiTokenSchema, MeSchema, NewApiTokenSchema, UserSchema } from '../modules/auth/schemas.js';
import {
  InvitationPreviewSchema,
  InvitationSchema,
  MemberSchema,
  WorkspaceSchema,
} from '../modules/workspaces/schemas.js';
import {
  ChatPageSchema,
  ChatSchema,
  MessageListSchema,
  MessageSchema,
  UploadResultSchema,
  UploadRulesSchema,
  WidgetSessionSchema,
  VisitorDetailsSchema,
} from '../modules/chats/schemas.js';
import { DeletedFileSchema, FileListSchema, FilePageSchema, FileSchema } from '../modules/files/schemas.js';
import {
  DeliveryAttemptSchema,
  DeliveryDetailSchema,
  DeliveryPageSchema,
  DeliverySchema,
} from '../modules/deliveries/schemas.js';
import { BotFlowSchema, BotFlowsSchema, BotPreviewSchema } from '../modules/bot/schema.js';
import { AuditEntrySchema, AuditPageSchema } from '../modules/audit/schemas.js';
import { RetentionSettingsSchema, UsageSchema } from '../modules/lifecycle/schemas.js';
import { closeObjects } from './validation.js';
import {
  CallbackSettingsSchema,
  CallbackTestResultSchema,
  S3SettingsSchema,
  S3TestResultSchema,
} from '../modules/integrations/schemas.js';

export const ErrorSchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'One of the contract codes, e.g. VALIDATION_FAILED' }),
        message: Type.String({ description: 'Human text; never echoes the request' }),
      },
      { additionalProperties: true, description: 'Code-specific details sit beside code and message' },
    ),
  },
  { $id: 'Error', title: 'Error', description: 'Every error answer: {"error": {"code", "message", ...details}}' },
);

// Dependencies first: a schema's $refs must already be known when it is added.
export const COMPONENTS = [
  ErrorSchema,
  UserSchema,
  MeSchema,
  ApiTokenSchema,
  NewApiTokenSchema,
  WorkspaceSchema,
  MemberSchema,
  InvitationSchema,
  InvitationPreviewSchema,
  DeliverySchema,
  DeliveryAttemptSchema,
  DeliveryPageSchema,
  DeliveryDetailSchema,
  FileSchema,
  DeletedFileSchema,
  FileListSchema,
  FilePageSchema,
  ChatSchema,
  ChatPageSchema,
  MessageSchema,
  MessageListSchema,
  UploadResultSchema,
  UploadRulesSchema,
  WidgetAppearanceSchema,
  WidgetSessionSchema,
  VisitorDetailsSchema,
  BotFlowSchema,
  BotFlowsSchema,
  BotPreviewSchema,
  AuditEntrySchema,
  AuditPageSchema,
  RetentionSettingsSchema,
  UsageSchema,
  ContentSafetySettingsSchema,
  FileUploadSettingsSchema,
  EmbedSettingsSchema,
  S3SettingsSchema,
  S3TestResultSchema,
  CallbackSettingsSchema,
  CallbackTestResultSchema,
];

export function registerComponents(app: FastifyInstance) {
  for (const schema of COMPONENTS) {
    // Answers are exact: a field a view adds must be in its schema (the test suite's contract hook checks).
    closeObjects(schema);
    app.addSchema(schema);
  }
}
