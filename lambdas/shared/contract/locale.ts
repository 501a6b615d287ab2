import * as z from 'zod/mini';
import { en } from 'zod/locales';

// Zod Mini (tree-shakable: the handlers' bundles carry only the checks they use) with Zod's English messages,
// the same ones full Zod gives, so errors keep naming what was expected. Every file of the contract that
// declares schemas imports this one.
z.config(en());
