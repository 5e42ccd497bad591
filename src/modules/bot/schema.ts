// TypeBox schemas for the bot routes, so the flow's shape lands in /api/openapi.json. Types only: the rules
// (required fields per kind, links, reachability) live in validate.ts, which names fields as "steps[2].next".
import { Type } from '@sinclair/typebox';

const StepId = Type.String({ maxLength: 64 });
const Text = Type.String({ maxLength: 2000 });

export const FlowButtonSchema = Type.Object({ label: Type.String({ maxLength: 200 }), next: Type.Optional(StepId) });
export const FlowBranchSchema = Type.Object({
  equals: Type.Optional(Type.String({ maxLength: 500 })),
  contains: Type.Optional(Type.String({ maxLength: 500 })),
  next: Type.Optional(StepId),
});

export const StepSchema = Type.Object(
  {
    id: Type.Optional(StepId),
    kind: Type.Optional(Type.Union(['message', 'question', 'upload', 'handoff', 'end'].map((k) => Type.Literal(k)))),
    text: Type.Optional(Text),
    next: Type.Optional(StepId),
    variable: Type.Optional(
      Type.String({ maxLength: 64, description: 'question: where the answer is kept, usable as {{variable}}' }),
    ),
    expect: Type.Optional(
      Type.Union(
        ['text', 'name', 'email'].map((k) => Type.Literal(k)),
        { description: 'question: the answer asked for, asked again once if not given (default text)' },
      ),
    ),
    retryText: Type.Optional(
      Type.String({ maxLength: 2000, description: 'question: said when the answer is not what `expect` asks for' }),
    ),
    buttons: Type.Optional(Type.Array(FlowButtonSchema, { maxItems: 20 })),
    branches: Type.Optional(Type.Array(FlowBranchSchema, { maxItems: 50 })),
    prompt: Type.Optional(Text),
    allowedTypes: Type.Optional(
      Type.String({ maxLength: 1000, description: 'upload: extensions joined by |, within the visitor allow-list' }),
    ),
    maxFiles: Type.Optional(Type.Integer()),
    optional: Type.Optional(
      // While visitor uploads are turned off the bot asks for no file: an optional step is passed over, a required
      // one hands the chat over to an agent (walk.ts).
      Type.Boolean({
        description: 'upload: may be skipped. Visitor uploads off: passed over if optional, else handed over',
      }),
    ),
    timeoutSeconds: Type.Optional(Type.Integer()),
    onTimeout: Type.Optional(Type.Union(['remind', 'next', 'handoff'].map((k) => Type.Literal(k)))),
  },
  { description: 'One step; which fields are required depends on kind' },
);

export const FlowSchema = Type.Object({
  start: Type.Optional(StepId),
  steps: Type.Optional(Type.Array(StepSchema, { maxItems: 200 })),
});

export const PutFlowBody = Type.Object({ flow: FlowSchema });

export const PreviewQuery = Type.Object({
  source: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('published')], { default: 'draft' })),
  from: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Walk from this step instead of the start (the editor follows a button or an answer this way)',
    }),
  ),
});

export const RequestParams = Type.Object({ requestId: Type.String({ minLength: 1, maxLength: 64 }) });

// Answers: a stored flow passed validate.ts, so every step has its id and kind.
const StoredStepSchema = Type.Composite([
  Type.Omit(StepSchema, ['id', 'kind', 'branches']),
  Type.Object({
    branches: Type.Optional(
      Type.Array(
        Type.Object({
          equals: Type.Optional(Type.String()),
          contains: Type.Optional(Type.String()),
          next: StepId,
        }),
      ),
    ),
    id: StepId,
    kind: Type.Union(['message', 'question', 'upload', 'handoff', 'end'].map((k) => Type.Literal(k))),
  }),
]);

export const BotFlowSchema = Type.Object(
  { start: StepId, steps: Type.Array(StoredStepSchema) },
  { $id: 'BotFlow', title: 'BotFlow', description: 'A flow: {start, steps}; texts may use {{variable}}' },
);

export const BotFlowsSchema = Type.Object(
  {
    draft: Type.Ref(BotFlowSchema),
    published: Type.Object({ start: StepId, steps: Type.Array(StoredStepSchema), version: Type.Integer() }),
  },
  { $id: 'BotFlows', title: 'BotFlows', description: 'The draft and the published flow with its version' },
);

export const BotPreviewSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
    version: Type.Optional(Type.Integer()),
    transcript: Type.Array(
      Type.Object({
        stepId: Type.Optional(StepId),
        kind: Type.Union([Type.Literal('text'), Type.Literal('upload_request')]),
        text: Type.String(),
        buttons: Type.Optional(Type.Array(Type.Object({ label: Type.String() }))),
        request: Type.Optional(
          Type.Object({
            prompt: Type.String(),
            allowedTypes: Type.String(),
            maxFiles: Type.Integer(),
            optional: Type.Boolean(),
          }),
        ),
      }),
    ),
    waitsFor: Type.Union([Type.Literal('answer'), Type.Literal('upload'), Type.Literal('agent'), Type.Literal('end')]),
    stepId: Type.Optional(StepId),
  },
  { $id: 'BotPreview', title: 'BotPreview', description: 'What a new visitor would see until the bot first waits' },
);
