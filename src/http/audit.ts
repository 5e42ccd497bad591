// The audit identity of the request's caller (modules never read HTTP requests themselves).
import type { FastifyRequest } from 'fastify';
import { auditActorOf, type AuditActor } from '../modules/audit/record.js';

export function auditActor(request: FastifyRequest): AuditActor {
  return auditActorOf(request.actor, request.staff?.role, {
    ip: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  });
}
