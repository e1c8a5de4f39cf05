// The public view of the workflows, shared by the log page and the JSON list: no event tokens, credentials masked.

import { formatPortalDate } from './response-time';
import { redactDeep, redactSecrets } from './secret-redaction';
import { statusOf, WorkflowStatus, WorkflowStore } from './workflow-store';

/** One workflow as shown to anyone who can reach the emulator. */
export interface WorkflowView {
  workflowId: string;
  name: string;
  documentId: string;
  activityName: string;
  status: WorkflowStatus;
  startedAt: string;
  returnValues: Record<string, unknown> | null;
  log: Array<{ message: string; at: number; date: string }>;
}

/** The workflows, newest first, each with its whole log, oldest line first. */
export function describeWorkflows(store: WorkflowStore, webhookSecret: string): WorkflowView[] {
  const redact = (text: string): string => redactSecrets(text, webhookSecret);
  return store.listNewestFirst().map((workflow) => ({
    workflowId: workflow.id,
    name: redact(workflow.name),
    documentId: redact(workflow.documentId),
    activityName: workflow.activityName,
    status: statusOf(workflow),
    startedAt: formatPortalDate(workflow.startedAt),
    returnValues: workflow.returnValues === undefined ? null : (redactDeep(workflow.returnValues, webhookSecret) as Record<string, unknown>),
    log: workflow.log.map((line) => ({ message: redact(line.message), at: line.at, date: formatPortalDate(line.at) })),
  }));
}
