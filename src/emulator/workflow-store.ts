// The running business processes the emulator knows: one waiting activity each, identified by a signed event token;
// its log lines, the return values bizproc.event.send delivered, and whether it is closed, locked or deleted.

import { EventTokenSigner, isValidActivityName, newActivityName, newWorkflowId } from './event-token';

/** One line of a workflow's log; `at` is clock time in ms. */
export interface LogLine {
  message: string;
  at: number;
}

/** How a workflow appears on the log page and in the JSON API. */
export type WorkflowStatus = 'waiting' | 'closed' | 'locked';

/** The registered activity or robot a workflow was started from. */
export interface WorkflowRegistration {
  kind: 'activity' | 'robot';
  code: string;
  /** The registered return property codes: bizproc.event.send keeps only these (matched without case). */
  returnProperties: readonly string[];
}

/** What to start a workflow with. */
export interface StartWorkflowOptions {
  activityName?: string;
  documentId?: string;
  name?: string;
  registration?: WorkflowRegistration;
}

/** A started workflow: its id and the token its waiting activity answers with. */
export interface StartedWorkflow {
  workflowId: string;
  eventToken: string;
}

/** One workflow as the store keeps it. */
export interface WorkflowRecord {
  readonly id: string;
  readonly name: string;
  readonly documentId: string;
  readonly activityName: string;
  readonly eventName: string;
  readonly startedAt: number;
  readonly registration: WorkflowRegistration | undefined;
  readonly log: LogLine[];
  returnValues: Record<string, unknown> | undefined;
  activityClosed: boolean;
  locked: boolean;
  deleted: boolean;
}

// Far above the 50 lines the cloud keeps, so tests see everything, but bounded so a looping demo flow cannot exhaust memory.
const MAX_LOG_LINES_PER_WORKFLOW = 100_000;

/** All workflows of the emulated portal. */
export class WorkflowStore {
  private readonly workflows = new Map<string, WorkflowRecord>();

  /** A store whose tokens are signed by `signer`. */
  constructor(private readonly signer: EventTokenSigner) {}

  /** Starts a workflow whose activity waits for an answer. */
  start(options: StartWorkflowOptions, now: number): StartedWorkflow {
    const activityName = options.activityName ?? newActivityName();
    if (!isValidActivityName(activityName)) {
      throw new RangeError('activityName must be 1 to 64 letters, digits or "_"');
    }
    let id = newWorkflowId();
    while (this.workflows.has(id)) id = newWorkflowId();
    const eventToken = this.signer.mint(id, activityName);
    const parts = this.signer.verify(eventToken);
    if (!parts) throw new Error('a freshly minted event token failed verification');
    this.workflows.set(id, {
      id,
      name: options.name ?? `Workflow ${this.workflows.size + 1}`,
      documentId: options.documentId ?? `DEAL_${this.workflows.size + 1}`,
      activityName,
      eventName: parts.eventName,
      startedAt: now,
      registration: options.registration === undefined ? undefined : structuredClone(options.registration),
      log: [],
      returnValues: undefined,
      activityClosed: false,
      locked: false,
      deleted: false,
    });
    return { workflowId: id, eventToken };
  }

  /** The workflow a genuine token belongs to, or undefined when the token is forged or names no activity we issued. */
  findByToken(token: unknown): WorkflowRecord | undefined {
    const parts = this.signer.verify(token);
    if (!parts) return undefined;
    const workflow = this.workflows.get(parts.workflowId);
    if (!workflow || workflow.activityName !== parts.activityName || workflow.eventName !== parts.eventName) return undefined;
    return workflow;
  }

  /** The workflow with this id, deleted ones included. */
  find(workflowId: string): WorkflowRecord | undefined {
    return this.workflows.get(workflowId);
  }

  /** Like find, but an unknown id is a programming error in the caller. */
  get(workflowId: string): WorkflowRecord {
    const workflow = this.workflows.get(workflowId);
    if (!workflow) throw new RangeError(`no workflow with id ${workflowId}`);
    return workflow;
  }

  /** Appends a line, dropping the oldest past the cap. */
  appendLog(workflow: WorkflowRecord, message: string, now: number): void {
    workflow.log.push({ message, at: now });
    if (workflow.log.length > MAX_LOG_LINES_PER_WORKFLOW) workflow.log.shift();
  }

  /** Workflows that were not deleted, newest first. */
  listNewestFirst(): WorkflowRecord[] {
    return [...this.workflows.values()].filter((workflow) => !workflow.deleted).reverse();
  }
}

/** The status shown for a workflow: locked wins, since it is what a caller would run into. */
export function statusOf(workflow: WorkflowRecord): WorkflowStatus {
  if (workflow.locked) return 'locked';
  return workflow.activityClosed ? 'closed' : 'waiting';
}
