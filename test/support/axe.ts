// axe-core in the browser tests (the one helper every suite uses): injects axe into a page or frame and fails on any
// violation of impact "serious" or "critical", listing the rule, the help text and the offending elements.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Frame, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on the page (or one frame, e.g. the widget's) and returns its serious and critical violations. */
export async function seriousViolations(target: Page | Frame, include?: string): Promise<AxeViolation[]> {
  await target.evaluate(AXE_SOURCE);
  const violations = await target.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    const result = await axe.run(selector ?? document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, include);
  return (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable report for an assertion message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}`).join('\n')}`)
    .join('\n');
}

/** Fails the test with the list when axe finds a serious or critical violation. */
export async function expectNoSeriousViolations(target: Page | Frame, label: string, include?: string) {
  const found = await seriousViolations(target, include);
  if (found.length > 0)
    throw new Error(`axe found serious/critical violations in ${label}:\n${describeViolations(found)}`);
}
