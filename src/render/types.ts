export interface RenderedFile {
  /** Relative to the install dir, with forward slashes. */
  path: string;
  content: string;
  /** 0o600 for anything holding a secret. */
  mode: number;
}

export const FILE_MODE = 0o644;
export const SECRET_MODE = 0o600;

export const file = (path: string, content: string, mode: number = FILE_MODE): RenderedFile => ({ path, content, mode });

/** The preset as a header names it: `auto` stays auto (sized from the measured RAM), a fixed preset its name (#22.15). */
export const presetHeader = (sizing: { requestedPreset: string; tier: string; planRamMiB: number }): string =>
  sizing.requestedPreset === 'auto' ? `preset auto (sized for ${sizing.planRamMiB} MiB)` : `preset ${sizing.tier}`;
