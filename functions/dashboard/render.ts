// The page as HTML, server-rendered with `hono/html` (every interpolated value is
// escaped: repository, branch, file and PR text come from repositories cairn does not
// control). No script at all; the CSS is inline and allowed by its hash in the CSP.
// Landmarks (banner, navigation, main, contentinfo), one heading per section, real links,
// each state written in words beside its colour, and a layout that wraps on a phone.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type {
  FleetView,
  InFlightView,
  NodeView,
  PathView,
  RepositoryView,
  VerdictView,
  WindowView,
} from './view.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const STYLE = `
:root{--fg:#1a1a1a;--muted:#4a4a4a;--bg:#fff;--line:#8a8a8a;--link:#1d4ed8;--focus:#b45309}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link);text-decoration:underline;text-underline-offset:2px}
a:focus-visible,summary:focus-visible,button:focus-visible,input:focus-visible,main:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:.5rem;top:.5rem;z-index:1}
header,nav,main,footer{padding:0 1rem;max-width:72rem;margin:0 auto}
header{border-bottom:1px solid var(--line)}
h1{font-size:1.5rem;margin:.75rem 0 .25rem}
h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:2px solid var(--fg)}
h3{font-size:1.1rem;margin:1.5rem 0 .5rem}
h4{font-size:1rem;margin:1rem 0 .25rem}
h5{font-size:1rem;margin:0}
p,li,dd,dt,code,time{overflow-wrap:anywhere}
.muted{color:var(--muted)}
nav ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.path{border:1px solid var(--line);border-radius:.4rem;padding:.5rem .75rem;margin:.5rem 0}
.where{margin:.1rem 0 .4rem;font-size:.9rem;color:var(--muted)}
ol.graph{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.4rem;align-items:stretch}
ol.graph li{display:flex;align-items:center;gap:.4rem;max-width:100%}
.node{border:2px solid var(--line);border-radius:.3rem;padding:.2rem .5rem;max-width:100%}
.node .v{font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}
.node .s{display:block;font-size:.85rem}
.node .d{display:block;font-size:.85rem;max-width:28rem}
.arrow{color:var(--muted)}
.done{background:#e7f5ea;border-color:#2f7d45;color:#123d1f}
.current{background:#dbe7fd;border-color:#1d4ed8;color:#0f2a6b;border-width:3px}
.in-flight{background:#fdf2d0;border-color:#a16207;color:#4a2c05}
.failed,.blocked{background:#fde4e4;border-color:#b91c1c;color:#5c1010}
.pr-open{background:#ece6fd;border-color:#6d28d9;color:#34106b}
.planned,.waiting{background:#f4f4f5;border-style:dashed;color:#2e2e33}
.problem{border-left:4px solid #b91c1c;padding-left:.5rem}
ul.items{padding-left:1.25rem}
ul.items li{margin:.25rem 0}
details{margin:.25rem 0}
summary{cursor:pointer}
form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
input{font:inherit;padding:.3rem;border:1px solid var(--fg);max-width:100%}
button{font:inherit;padding:.3rem .8rem;border:1px solid var(--fg);background:#e8e8e8;color:var(--fg)}
footer{border-top:1px solid var(--line);margin-top:2rem;padding-bottom:1rem}
`;

// Built outside the template so that nothing (a formatter included) changes the bytes the
// CSP hash covers.
const styleElement = raw(`<style>${STYLE}</style>`);

const when = (iso: string | undefined) =>
  iso ? html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>` : html`never`;

const pr = (l: { number: number; url: string }, title?: string) =>
  html`<a href="${l.url}">#${l.number}${title ? html` ${title}` : ''}</a>`;

function layout(title: string, body: Html, nav?: Html, refresh?: number): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        ${refresh ? html`<meta http-equiv="refresh" content="${refresh}" />` : ''}
        <title>${title}</title>
        ${styleElement}
      </head>
      <body>
        <a class="skip" href="#main">Skip to the dashboard</a>
        <header><h1>${title}</h1></header>
        ${nav ?? ''}
        <main id="main" tabindex="-1">${body}</main>
        <footer>
          <p class="muted">cairn: read-only view; every change happens through pull requests.</p>
        </footer>
      </body>
    </html>`;
}

function node(n: NodeView, last: boolean): Html {
  return html`<li${n.position ? html` aria-current="step"` : ''}><span class="node ${n.state}"
><span class="v">${n.version}</span> <span class="s">${n.position ? html`<strong>▶ ${n.label}</strong>` : n.label}${n.pr ? html` · ${pr(n.pr)}` : ''}</span
>${n.detail ? html`<span class="d">${n.detail}</span>` : ''}</span>${last ? '' : html`<span class="arrow" aria-hidden="true">→</span>`}</li>`;
}

function path(p: PathView, cluster: string, id: string): Html {
  const position = p.nodes.find((n) => n.position);
  return html`<article class="path" aria-labelledby="${id}">
    <h5 id="${id}">
      ${p.component}${p.environment && p.environment !== cluster ? html` <span class="muted">(${p.environment})</span>` : ''}
    </h5>
    <p class="where">
      <code>${p.file}:${p.line}</code> ${p.object}
      <code>${p.field}</code>${p.goal ? html` · goal ${p.goal}` : ''}${p.note ? html` · ${p.note}` : ''}
    </p>
    <ol class="graph" aria-label="Path of ${p.component} in ${cluster}: at ${position?.version ?? '?'}">
      ${p.nodes.map((n, i) => node(n, i === p.nodes.length - 1))}
    </ol>
  </article>`;
}

const none = html`<p class="muted">None.</p>`;

function inFlight(f: InFlightView): Html {
  return html`<li>
    ${pr(f, f.title)} <span class="muted">(${f.cluster})</span>:
    ${f.state === 'failure' ? html`<strong>gate failed</strong>` : 'gate pending'}: ${f.text}
  </li>`;
}

function windowItem(w: WindowView): Html {
  return html`<li>
    <strong>${w.scope}</strong>: ${w.open ? 'open now' : 'closed'}:
    ${w.text}${w.opensAt ? html` (opens ${when(w.opensAt)})` : ''}${w.closesAt ? html` (closes ${when(w.closesAt)})` : ''}
  </li>`;
}

function verdict(v: VerdictView, id: string): Html {
  return html`<article class="path" aria-labelledby="${id}">
    <h4 id="${id}">
      ${pr(v, v.title)}:
      ${v.verdict}${v.state ? html` <span class="muted">(cairn/gate ${v.state})</span>` : ''}
    </h4>
    <p>${v.text} <span class="muted">· ${v.cluster} · ${when(v.at)}</span></p>
    ${
      v.reasons.length
        ? html`<ul class="items">
            ${v.reasons.map((r) => html`<li>${r}</li>`)}
          </ul>`
        : ''
    }
    ${v.configProblems.length ? html`<p class="problem">Configuration: ${v.configProblems.join('; ')}</p>` : ''}
    ${v.rollback ? html`<p class="problem">Rollback: ${v.rollback}</p>` : ''}
    ${
      v.evidence.length
        ? html`<details>
            <summary>Evidence (${v.evidence.length} ${v.evidence.length === 1 ? 'check' : 'checks'})</summary>
            <ul class="items">
              ${v.evidence.map(
                (e) =>
                  html`<li>
                    <strong>${e.status}</strong>:
                    ${e.check}${e.objects.length ? html` <span class="muted">(${e.objects.join(', ')})</span>` : ''}${e.reasons.length ? html`: ${e.reasons.join('; ')}` : ''}
                  </li>`,
              )}
            </ul>
          </details>`
        : ''
    }
  </article>`;
}

function repository(r: RepositoryView, i: number): Html {
  const id = `repo-${i}`;
  return html`<section aria-labelledby="${id}-h" id="${id}">
    <h2 id="${id}-h"><a href="${r.url}">${r.name}</a></h2>
    ${
      r.reconciledAt
        ? html`<p>
            Reconciled ${when(r.reconciledAt)} from <code>${r.base ?? ''}</code> at
            <code>${(r.commit ?? '').slice(0, 12)}</code>.
          </p>`
        : html`<p>Not reconciled yet: the next cron run or webhook plans it.</p>`
    }
    ${r.error ? html`<p class="problem"><strong>The last run failed</strong> (${when(r.error.at)}): ${r.error.message}</p>` : ''}
    <h3 id="${id}-paths">Upgrade paths</h3>
    ${
      r.clusters.length
        ? r.clusters.map(
            (c, ci) =>
              html`<section aria-labelledby="${id}-c${ci}">
                <h4 id="${id}-c${ci}">Cluster ${c.name}</h4>
                ${c.paths.map((p, pi) => path(p, c.name, `${id}-c${ci}-p${pi}`))}
              </section>`,
          )
        : none
    }
    <h3 id="${id}-pulls">Open pull requests</h3>
    ${
      r.pulls.length
        ? html`<ul class="items">
            ${r.pulls.map(
              (p) =>
                html`<li>
                  ${pr(p, p.title)}${p.cluster ? html` <span class="muted">(${p.cluster})</span>` : ''}${p.waiting ? html`: waiting: ${p.waiting}` : ''}
                </li>`,
            )}
          </ul>`
        : none
    }
    <h3 id="${id}-flight">In flight (merged, gate not passed)</h3>
    ${
      r.inFlight.length
        ? html`<ul class="items">
            ${r.inFlight.map(inFlight)}
          </ul>`
        : none
    }
    <h3 id="${id}-blocked">Blocked goals</h3>
    ${
      r.blocked.length
        ? html`<ul class="items">
            ${r.blocked.map(
              (b) =>
                html`<li>
                  <strong
                    >${b.cluster ? html`${b.cluster}: ` : ''}${b.component} ${b.current} → ${b.wanted}</strong
                  >
                  <span class="muted">(<code>${b.file}</code>)</span> <br />Blocked: ${b.reason}.
                  <br />Unblock:
                  ${b.unblock}${b.rule ? html` <span class="muted">(rule ${b.rule.id}, ${b.rule.source})</span>` : ''}
                </li>`,
            )}
          </ul>`
        : none
    }
    <h3 id="${id}-windows">Maintenance windows</h3>
    ${
      r.windows.length
        ? html`<ul class="items">
            ${r.windows.map(windowItem)}
          </ul>`
        : none
    }
    <h3 id="${id}-verdicts">Gate verdicts</h3>
    ${r.verdicts.length ? r.verdicts.map((v, vi) => verdict(v, `${id}-v${vi}`)) : none}
  </section>`;
}

/** The page; `refresh` (seconds, opt-in by `?refresh=`) reloads it, to watch a journey unfold. */
export function renderDashboard(view: FleetView, refresh?: number): Html {
  const count = (f: (r: RepositoryView) => number) => view.repositories.reduce((n, r) => n + f(r), 0);
  const { openNow, next } = view.windows;
  const nav = html`<nav aria-label="Repositories">
    <ul>
      <li><a href="#summary">Summary</a></li>
      ${view.repositories.map((r, i) => html`<li><a href="#repo-${i}">${r.name}</a></li>`)}
      <li>
        ${
          refresh
            ? html`<a href="/">Stop reloading (every ${refresh} s now)</a>`
            : html`<a href="/?refresh=30">Reload every 30 seconds</a>`
        }
      </li>
    </ul>
  </nav>`;
  const body = html`<section aria-labelledby="summary-h" id="summary">
      <h2 id="summary-h">Summary</h2>
      <dl class="facts">
        <dt>As of</dt>
        <dd>${when(view.at)}</dd>
        <dt>Repositories</dt>
        <dd>${view.repositories.length}</dd>
        <dt>Clusters</dt>
        <dd>${view.clusters.length ? view.clusters.join(', ') : 'none known yet'}</dd>
        <dt>Open pull requests</dt>
        <dd>${count((r) => r.pulls.length)}</dd>
        <dt>In flight</dt>
        <dd>${count((r) => r.inFlight.length)}</dd>
        <dt>Blocked goals</dt>
        <dd>${count((r) => r.blocked.length)}</dd>
        <dt>Next window</dt>
        <dd>
          ${
            next
              ? html`${when(next.opensAt)} for ${next.scope} <span class="muted">(${next.repository})</span>`
              : openNow.length
                ? 'every scope is open now'
                : 'none known'
          }${openNow.length && next ? html`; open now: ${openNow.map((w) => w.scope).join(', ')}` : ''}
        </dd>
      </dl>
    </section>
    ${view.repositories.length ? view.repositories.map(repository) : html`<p>No repository is configured (CAIRN_REPOSITORIES).</p>`}`;
  return layout('cairn fleet dashboard', body, nav, refresh);
}

/** The page a visitor without the token sees: the dashboard's off, or a sign-in form. */
export function renderSignIn(state: 'off' | 'sign-in' | 'wrong'): Html {
  const body =
    state === 'off'
      ? html`<h2>The dashboard is off</h2>
          <p>Set <code>CAIRN_DASHBOARD_TOKEN</code> to turn it on.</p>`
      : html`<h2>Sign in</h2>
          ${state === 'wrong' ? html`<p class="problem" id="wrong">That token is not the dashboard's.</p>` : ''}
          <form method="post" action="/">
            <label for="token">Dashboard token</label>
            <input
              id="token"
              name="token"
              type="password"
              autocomplete="current-password"
              required${state === 'wrong' ? html` aria-describedby="wrong"` : ''}
            />
            <button type="submit">Open the dashboard</button>
          </form>`;
  return layout('cairn fleet dashboard', body);
}
