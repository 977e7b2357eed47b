import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { PrerequisiteError } from '../errors.ts';

/** PATH lookup without a shell, so a missing tool is a clear error rather than ENOENT later. */
export async function which(command: string, envPath = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export interface Tool {
  command: string;
  /** What to tell a person who lacks it. */
  install: string;
}

export const REDIS_TOOLS: Tool[] = [
  { command: 'redis-server', install: 'apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)' },
  { command: 'redis-cli', install: 'apt-get install redis-tools (Debian/Ubuntu) or brew install redis (macOS)' },
];

export async function requireTools(tools: Tool[], forWhat: string, envPath?: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const missing: Tool[] = [];
  for (const tool of tools) {
    const at = await which(tool.command, envPath);
    if (at) found.set(tool.command, at);
    else missing.push(tool);
  }
  if (missing.length > 0) {
    const names = missing.map((t) => t.command).join(', ');
    const how = [...new Set(missing.map((t) => t.install))].join('; ');
    throw new PrerequisiteError(`${forWhat} needs ${names} on PATH, which ${missing.length > 1 ? 'are' : 'is'} missing: ${how}`);
  }
  return found;
}
