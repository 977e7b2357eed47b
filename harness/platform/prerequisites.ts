import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { PrerequisiteError } from '../errors.ts';

/** PATH lookup without a shell, so a missing tool is a clear error rather than ENOENT later. */
export async function which(command: string, envPath = process.env.PATH ?? ''): Promise<string | null> {
  // Synchronous on purpose: each check is microseconds, while an awaited one waits its turn on an
  // event loop that, at a run's start, is busy starting vitest (a platform checks some 15 tools).
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export interface Tool {
  command: string;
  /** Packages that provide it, for the one-line hint. */
  apt?: string;
  brew?: string;
  /** Where no package manager applies (e.g. kind's release binaries). */
  hint?: string;
}

export const REDIS_TOOLS: Tool[] = [
  { command: 'redis-server', apt: 'redis-server', brew: 'redis' },
  { command: 'redis-cli', apt: 'redis-tools', brew: 'redis' },
];

function installHint(tools: Tool[]): string {
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const parts: string[] = [];
  const apt = uniq(tools.map((t) => t.apt));
  const brew = uniq(tools.map((t) => t.brew));
  if (apt.length) parts.push(`apt-get install ${apt.join(' ')} (Debian/Ubuntu)`);
  if (brew.length) parts.push(`brew install ${brew.join(' ')} (macOS)`);
  const others = uniq(tools.map((t) => t.hint));
  return [parts.join(' or '), ...others].filter(Boolean).join('; ');
}

export async function requireTools(tools: Tool[], forWhat: string, envPath?: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const missing: Tool[] = [];
  for (const tool of tools) {
    const at = await which(tool.command, envPath);
    if (at) found.set(tool.command, at);
    else missing.push(tool);
  }
  if (missing.length > 0) {
    const names = missing.map((t) => t.command).join(' and ');
    throw new PrerequisiteError(`${forWhat} needs ${names} on PATH: install with ${installHint(missing)}`);
  }
  return found;
}
