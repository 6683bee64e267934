// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * Where TROUBLESHOOTING.md lives on the web, so finding links work where ISSUE.md or the console
 * summary is pasted: `--docs-url` (config key `docsUrl`, for forks and internal mirrors), else the
 * package's `repository` or `homepage` in package.json (a GitHub/GitLab repository gives its file view).
 */
import { TOOL, type ToolInfo } from '../core/version.js';

/** A repository URL as package.json may spell it (`git+https://…​.git`, `github:owner/repo`) as a web URL. */
function webRepository(repo: string): string | undefined {
  const short = /^(?:github:)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repo);
  if (short) return `https://github.com/${short[1]}/${short[2]}`;
  const m = /^(?:git\+)?(?:https?|git|ssh):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(repo) ?? /^git@([^:]+):(.+?)(?:\.git)?$/.exec(repo);
  return m ? `https://${m[1]}/${m[2]}` : undefined;
}

/** The absolute URL of TROUBLESHOOTING.md, or undefined when neither an override nor package.json names one. */
export function troubleshootingUrl(override?: string, tool: ToolInfo = TOOL): string | undefined {
  if (override) return /\.md(?:#.*)?$/i.test(override) ? override.replace(/#.*$/, '') : `${override.replace(/\/+$/, '')}/TROUBLESHOOTING.md`;
  const repo = tool.repository ? webRepository(tool.repository) : undefined;
  if (repo) return `${repo}/blob/HEAD/TROUBLESHOOTING.md`;
  const home = tool.homepage?.replace(/#.*$/, '').replace(/\/+$/, '');
  if (!home) return undefined;
  const hosted = /^https:\/\/(?:github\.com|gitlab\.com)\/[^/]+\/[^/]+$/.test(home);
  return hosted ? `${home}/blob/HEAD/TROUBLESHOOTING.md` : `${home}/TROUBLESHOOTING.md`;
}
