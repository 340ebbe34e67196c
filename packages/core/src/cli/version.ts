/** meshspec's version, reported in results (Fortio `Version`) and by `meshspec --version`. */
export const VERSION = '0.1.0';
