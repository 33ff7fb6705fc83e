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
