/** The entry's module URL in a build that is current for its sources, building it if none is (bundle.mjs). */
export function bundledEntry(options: { entry: string; cacheDir: string }): Promise<string>;
