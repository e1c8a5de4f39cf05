// The page at `/`: what the emulated portal's business-process log would show, refreshed every 2 s. Self-contained (no
// scripts, no external assets), every text HTML-escaped, credentials never printed.

import { WorkflowView } from './workflow-view';

/** What the page header says about the emulator. */
export interface LogPageHeader {
  userId: number;
  rateLimit: string;
}

// The cloud keeps the newest 50 lines per workflow, so the page shows no more; the JSON list has everything.
const LINES_SHOWN = 50;
const WORKFLOWS_SHOWN = 100;

/** The pages' one style sheet (inline: the pages load nothing). */
export const PAGE_STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f6f8;color:#1f2933}
header{background:#2fc6f6;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0}
main{padding:16px 24px;max-width:1100px}section{background:#fff;border-radius:6px;padding:12px 16px;margin:0 0 12px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}h2{font-size:16px;margin:0 0 4px}.meta{color:#616e7c;margin:0 0 8px}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#eef1f4;padding:1px 4px;border-radius:3px}
.status{font-size:12px;padding:2px 8px;border-radius:10px;margin-left:8px;vertical-align:middle}
.waiting{background:#e3f8ff;color:#0b6e99}.closed{background:#e3f9e5;color:#1f7a30}.locked{background:#ffe3e3;color:#a61b1b}
ol{margin:0;padding-left:0;list-style:none}li{padding:2px 0;border-top:1px solid #eef1f4;white-space:pre-wrap;word-break:break-word}
time{color:#616e7c;font:12px ui-monospace,Menlo,Consolas,monospace;margin-right:8px}
pre{margin:4px 0 8px;background:#eef1f4;padding:6px 8px;border-radius:4px;white-space:pre-wrap;word-break:break-word}
.empty{color:#616e7c}`;

/** The whole HTML document for these workflows (newest first), below `registrations` (a section, or ""). */
export function renderLogPage(workflows: WorkflowView[], header: LogPageHeader, registrations = ''): string {
  const shown = workflows.slice(0, WORKFLOWS_SHOWN);
  const body =
    shown.length === 0
      ? '<p class="empty">No workflows yet. Start one with <code>POST /emulator/api/workflows</code>; it answers with a fresh event token.</p>'
      : shown.map(renderWorkflow).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bitrix24 emulator: business process log</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>Bitrix24 REST emulator</h1>
<p>Webhook <code>/rest/${header.userId}/&hellip;/</code> &middot; rate limit ${escapeHtml(header.rateLimit)} &middot; ${workflows.length} workflow(s)</p></header>
<main>
${registrations}${body}
</main>
</body>
</html>
`;
}

function renderWorkflow(workflow: WorkflowView): string {
  const lines = workflow.log.slice(-LINES_SHOWN);
  const hidden = workflow.log.length - lines.length;
  const returnValues =
    workflow.returnValues === null ? '' : `<pre>${escapeHtml(JSON.stringify(workflow.returnValues, null, 2))}</pre>`;
  const logItems =
    lines.length === 0
      ? '<p class="empty">No log lines yet.</p>'
      : `<ol>${lines.map((line) => `<li><time>${escapeHtml(line.date)}</time>${escapeHtml(line.message)}</li>`).join('')}</ol>`;
  return `<section>
<h2>${escapeHtml(workflow.name)}<span class="status ${workflow.status}">${workflow.status}</span></h2>
<p class="meta">Workflow <code>${escapeHtml(workflow.workflowId)}</code> &middot; activity <code>${escapeHtml(workflow.activityName)}</code> &middot; document <code>${escapeHtml(workflow.documentId)}</code> &middot; started ${escapeHtml(workflow.startedAt)}</p>
${returnValues}${hidden > 0 ? `<p class="meta">${hidden} older line(s) not shown.</p>` : ''}${logItems}
</section>`;
}

/** Text made safe for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
