import type { Options } from 'tsup';

export declare const browserBundles: Options[];
export declare const browserBundleFiles: string[];
