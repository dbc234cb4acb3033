// Forward values and gradients of small models against PyTorch 1.13, with the pure-TypeScript reference kernels.
import { defineTorchReferenceTests } from './torch-cases.js';

defineTorchReferenceTests('reference kernels');
