// The program's version: a leaf every layer may import (the bundle defines __VERSION__ from package.json).
declare const __VERSION__: string;
export const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
