// Fails the test during which a server answered something its OpenAPI document does not describe.
import { afterEach } from 'vitest';
import { takeContractViolations } from './contract.js';

afterEach(() => {
  const found = takeContractViolations();
  if (found.length) throw new Error(`API contract mismatch:\n${[...new Set(found)].join('\n')}`);
});
