// The HTML of the registered activities and robots: a section of the log page that lists them, and the page with the
// form that starts a workflow reaching one, its property values typed in as a designer would set them. No scripts:
// the form is a plain POST carrying a token only this emulator's pages hold. Every text is HTML-escaped.

import { AppRegistration, RegisteredProperty } from './app-registrations';
import { escapeHtml } from './log-page';
import { displayName } from './registered-start';

/** The path of the start page and form of one registration. */
export function startPath(registration: Pick<AppRegistration, 'kind' | 'code'>): string {
  return `/emulator/registrations/${registration.kind}/${encodeURIComponent(registration.code)}`;
}

/** The log page's section: every registration, with a link to its start form. */
export function renderRegistrationList(registrations: AppRegistration[]): string {
  if (registrations.length === 0) return '';
  const rows = registrations
    .map(
      (registration) => `<li><span class="status waiting">${registration.kind}</span> <b>${escapeHtml(displayName(registration.name) || registration.code)}</b>
<code>${escapeHtml(registration.code)}</code> &middot; handler <code>${escapeHtml(registration.handler)}</code> &middot; <a href="${escapeHtml(startPath(registration))}">Start a workflow&hellip;</a></li>`,
    )
    .join('\n');
  return `<section><h2>Registered activities and robots</h2><ol>${rows}</ol></section>`;
}

function propertyName(code: string, property: RegisteredProperty): string {
  return displayName(property.NAME) || code;
}

/** One input of the form, by the property's type: a list for select and bool, several lines for a multiple one. */
function propertyInput(code: string, property: RegisteredProperty): string {
  const name = `property[${escapeHtml(code)}]`;
  const required = property.REQUIRED === 'Y' ? ' required' : '';
  const fallback = property.DEFAULT === undefined || property.DEFAULT === null ? '' : typeof property.DEFAULT === 'string' ? property.DEFAULT : JSON.stringify(property.DEFAULT);
  const options = typeof property.OPTIONS === 'object' && property.OPTIONS !== null ? Object.entries(property.OPTIONS as Record<string, unknown>) : [];
  if (property.TYPE === 'select' || property.TYPE === 'bool') {
    const choices = property.TYPE === 'bool' ? [['Y', 'Yes'], ['N', 'No']] : options.map(([value, label]) => [value, String(label)]);
    const items = choices.map(([value, label]) => `<option value="${escapeHtml(String(value))}"${value === fallback ? ' selected' : ''}>${escapeHtml(String(label))}</option>`);
    return `<select name="${name}"${required}>${items.join('')}</select>`;
  }
  if (property.MULTIPLE === 'Y') return `<textarea name="${name}" rows="3"${required}>${escapeHtml(fallback)}</textarea><br><small>one value a line</small>`;
  return `<input name="${name}" value="${escapeHtml(fallback)}"${required}>`;
}

/** The start page of one registration: its details and the form. */
export function renderStartPage(registration: AppRegistration, formToken: string, style: string): string {
  const fields = Object.entries(registration.properties)
    .map(
      ([code, property]) =>
        `<p><label>${escapeHtml(propertyName(code, property))} <code>${escapeHtml(code)}</code> <small>${escapeHtml(String(property.TYPE ?? 'string'))}</small><br>${propertyInput(code, property)}</label></p>`,
    )
    .join('\n');
  const returns = Object.entries(registration.returnProperties)
    .map(([code, property]) => `<code>${escapeHtml(code)}</code> (${escapeHtml(propertyName(code, property))})`)
    .join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Start: ${escapeHtml(registration.code)}</title>
<style>${style} input,select,textarea{font:inherit;padding:4px 6px;min-width:280px} button{font:inherit;padding:6px 14px}</style>
</head>
<body>
<header><h1>${escapeHtml(displayName(registration.name) || registration.code)}</h1>
<p>${registration.kind} <code>${escapeHtml(registration.code)}</code> &middot; <a href="/" style="color:#fff">back to the log</a></p></header>
<main><section>
<p class="meta">The emulator plays the portal: it starts a workflow that reaches this ${registration.kind} and POSTs its request
(form-encoded, with <code>event_token</code> and the application token) to <code>${escapeHtml(registration.handler)}</code>.
It ${registration.useSubscription === 'Y' ? 'waits for bizproc.event.send' : 'does not wait for an answer (USE_SUBSCRIPTION is not Y)'}${returns === '' ? '' : `; return values: ${returns}`}.</p>
<form method="post" action="${escapeHtml(startPath(registration))}">
<input type="hidden" name="formToken" value="${escapeHtml(formToken)}">
${fields === '' ? '<p class="empty">No properties.</p>' : fields}
<p><button type="submit">Start a workflow</button></p>
</form>
</section></main>
</body>
</html>
`;
}
