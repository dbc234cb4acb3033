/** descent's public surface: re-exported by name. Subpaths (descent/optim, ...) give each layer alone. */
export { DescentError, inputError, runError } from './errors.js';
