import { readFile } from 'node:fs/promises';
import { NotYet, waitUntil } from '../harness/util/wait.ts';

/**
 * Until process `pid` runs `command`: a wrapper (unshare, sh) that ends in `exec command` has then
 * done all it does first (made its namespace, dropped its mounts). Read from /proc/PID/cmdline.
 */
export async function untilExeced(pid: number | undefined, command: string, what: string, timeoutMs: number): Promise<void> {
  await waitUntil(what, async () => {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0')[0] !== command) throw new NotYet(`pid ${pid} runs "${cmdline.split('\0')[0] || 'nothing'}"`);
  }, { timeoutMs, intervalMs: 20 });
}
