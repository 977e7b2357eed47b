import * as allure from 'allure-js-commons';

/**
 * Allure steps and attachments when allure-vitest's reporter is active (as `npm run scenarios`
 * configures it); plain pass-throughs otherwise, instead of allure's "no test runtime" warnings.
 */
const active = () => typeof (globalThis as { allureTestRuntime?: unknown }).allureTestRuntime === 'function';

export function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  return active() ? Promise.resolve(allure.step(name, body)) : body();
}

export async function attach(name: string, content: string, type: string): Promise<void> {
  if (active()) await allure.attachment(name, content, type);
}

export async function attachFile(name: string, file: string, type: string): Promise<void> {
  if (active()) await allure.attachmentPath(name, file, type);
}
