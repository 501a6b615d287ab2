import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { loadConfig, restoreConfigSchema } from '../lib/config';

/**
 * Generates docs/configuration.md from the config schema in lib/config-schema.ts: every field's type, default,
 * description and checks come from the schema, so the reference cannot drift from what synth enforces.
 * test/scripts/config-docs.test.ts fails when the committed file is out of date.
 *
 *   npm run docs:config            writes docs/configuration.md
 *   npm run docs:config -- --stdout prints it instead (what the test compares)
 */
export const CONFIG_DOCS = path.join(__dirname, '..', 'docs', 'configuration.md');
export const CONFIG_DOCS_COMMAND = 'npm run docs:config';

/** One field's entry in the reference. */
interface Entry {
  path: string;
  type: string;
  default: string;
  description: string;
  /** The fields of an object nested in a group (a wait bound, the Slack channel), listed under it. */
  fields: Entry[];
}

/** A field with its wrappers (default, prefault, optional) peeled off. */
interface Field {
  core: z.ZodType;
  description: string | undefined;
  /** The value the field takes when it is not given; undefined when it has none. */
  defaultValue: unknown;
  optional: boolean;
}

/** An example worth copying; the generator refuses to write one that synth would refuse. */
const EXAMPLE = {
  schedule: 'cron(0 6 ? * MON#1 *)',
  waits: { restore: { maxMinutes: 480 } },
  monitoring: { runbookUrl: 'https://github.com/example/ops/blob/main/staging-db-restore/docs/runbook.md' },
  network: {
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    securityGroupIds: ['sg-0123456789abcdef0'],
  },
};

function unwrap(schema: z.ZodType): Field {
  let core = schema;
  let description: string | undefined;
  let defaultValue: unknown;
  let optional = false;
  for (;;) {
    description ??= core.description;
    if (core instanceof z.ZodDefault || core instanceof z.ZodPrefault) {
      // Parsing nothing yields the default as loadConfig applies it (a prefault's fields get theirs).
      defaultValue = core.parse(undefined);
      core = core.unwrap() as z.ZodType;
    } else if (core instanceof z.ZodOptional) {
      optional = true;
      core = core.unwrap() as z.ZodType;
    } else if (core instanceof z.ZodPipe) {
      // A transform (identifiers to lower case): what the user writes is its input.
      core = core.in as z.ZodType;
    } else {
      return { core, description, defaultValue, optional };
    }
  }
}

/** The message a check fails with, when it was given one (the regex's meaning, a refinement's rule). */
function messageOf(check: z.core.$ZodCheck): string | undefined {
  const error = check._zod.def.error;
  const message = typeof error === 'function' ? error({} as never) : undefined;
  return typeof message === 'string' ? message : undefined;
}

function typeOf(core: z.ZodType): string {
  if (core instanceof z.ZodString) return 'string';
  if (core instanceof z.ZodNumber) return core.isInt ? 'integer' : 'number';
  if (core instanceof z.ZodBoolean) return 'boolean';
  if (core instanceof z.ZodEnum) return core.options.map((option) => `\`${JSON.stringify(option)}\``).join(' or ');
  if (core instanceof z.ZodArray) return `list of ${typeOf(unwrap(core.element as z.ZodType).core)}s`;
  if (core instanceof z.ZodObject) return 'object';
  throw new Error(`config-docs: no type name for a ${core.def.type} schema`);
}

/** What the schema checks beyond the type, as sentences that start with "must". */
function checksOf(core: z.ZodType): string[] {
  const checks = core.def.checks ?? [];
  const sentences: string[] = [];
  let lower: { value: unknown; inclusive: boolean } | undefined;
  let upper: { value: unknown; inclusive: boolean } | undefined;
  for (const check of checks) {
    const def = check._zod.def as unknown as Record<string, unknown>;
    const message = messageOf(check);
    switch (def.check) {
      case 'string_format':
        if (def.format === 'regex')
          sentences.push(`${message ?? 'must match'} (\`${(def.pattern as RegExp).source}\`)`);
        else sentences.push(message ?? `must be a ${String(def.format).toUpperCase()}`);
        break;
      case 'number_format':
        break; // the type says integer
      case 'greater_than':
        lower = { value: def.value, inclusive: def.inclusive as boolean };
        break;
      case 'less_than':
        upper = { value: def.value, inclusive: def.inclusive as boolean };
        break;
      case 'min_length':
        sentences.push(def.minimum === 1 ? 'must not be empty' : `must have at least ${String(def.minimum)} items`);
        break;
      case 'custom':
        if (message) sentences.push(message);
        break;
      default:
        throw new Error(`config-docs: cannot describe a ${String(def.check)} check`);
    }
  }
  if (lower?.inclusive && upper?.inclusive) sentences.unshift(`must be from ${lower.value} to ${upper.value}`);
  else {
    if (lower) sentences.unshift(`must be ${lower.inclusive ? 'at least' : 'greater than'} ${lower.value}`);
    if (upper) sentences.push(`must be ${upper.inclusive ? 'at most' : 'less than'} ${upper.value}`);
  }
  if (core instanceof z.ZodArray) {
    const each = checksOf(unwrap(core.element as z.ZodType).core);
    sentences.unshift(...each.map((rule) => `each ${rule}`));
  }
  return sentences;
}

function capitalized(text: string): string {
  return text && `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

function sentence(parts: string[]): string {
  return parts.length ? `${capitalized(parts.join('; '))}.` : '';
}

/** Outside code spans, `<name>` would be read as an HTML tag. */
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

/** JSON on one line, spaced as people write it in cdk.json. */
function json(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(json).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}: ${json(member)}`);
    return `{ ${members.join(', ')} }`;
  }
  return JSON.stringify(value);
}

function describeField(field: Field, fieldPath: string): string {
  if (!field.description) throw new Error(`config-docs: ${fieldPath} has no description in lib/config-schema.ts`);
  return prose([field.description, sentence(checksOf(field.core))].filter(Boolean).join(' '));
}

/** `optionalParent`: the optional object the field is in, where a field without a default is required. */
function defaultText(field: Field, optionalParent: string | undefined): string {
  if (field.defaultValue !== undefined) return `default \`${json(field.defaultValue)}\``;
  if (optionalParent && !field.optional) return `required in \`${optionalParent}\``;
  return 'optional, no default';
}

function entry(schema: z.ZodType, fieldPath: string, optionalParent: string | undefined): Entry {
  const field = unwrap(schema);
  const core = field.core;
  return {
    path: fieldPath,
    type: typeOf(core),
    default: defaultText(field, optionalParent),
    description: describeField(field, fieldPath),
    fields: core instanceof z.ZodObject ? entries(core, fieldPath, field.optional ? fieldPath : optionalParent) : [],
  };
}

function entries(object: z.ZodObject, prefix: string, optionalParent: string | undefined): Entry[] {
  return Object.entries(object.shape).map(([key, child]) =>
    entry(child as z.ZodType, prefix ? `${prefix}.${key}` : key, optionalParent),
  );
}

/** A heading per field of a group (so each has an anchor), the fields of a nested object as a list. */
function section(fields: Entry[]): string {
  return fields
    .map((field) =>
      [
        `#### \`${field.path}\``,
        `${capitalized(field.type)}, ${field.default}.`,
        field.description,
        ...(field.fields.length
          ? [
              field.fields
                .map((inner) => `- \`${inner.path}\` (${inner.type}, ${inner.default}): ${inner.description}`)
                .join('\n'),
            ]
          : []),
      ].join('\n\n'),
    )
    .join('\n\n');
}

/** The whole document, before formatting. */
export function configDocsMarkdown(): string {
  // Throws (naming the field) when the example no longer passes synth.
  loadConfig(EXAMPLE);
  const cdkJson = { app: 'node --require tsx/cjs bin/app.ts', context: { 'staging-db-restore': EXAMPLE } };
  const topLevel: Entry[] = [];
  const groups: string[] = [];
  const index = ['[top-level fields](#top-level-fields)'];
  for (const [key, schema] of Object.entries(restoreConfigSchema.shape)) {
    const field = unwrap(schema as z.ZodType);
    if (!(field.core instanceof z.ZodObject)) {
      topLevel.push(entry(schema as z.ZodType, key, undefined));
      continue;
    }
    const presence = field.optional
      ? 'Optional, with no default; when given, it is given whole.'
      : 'Each field left out keeps its default.';
    const checks = sentence(checksOf(field.core));
    index.push(`[\`${key}\`](#${key.toLowerCase()})`);
    groups.push(
      [
        `### \`${key}\``,
        prose([field.description, checks, presence].filter(Boolean).join(' ')),
        section(entries(field.core, key, field.optional ? key : undefined)),
      ].join('\n\n'),
    );
  }
  return [
    `<!-- Generated from lib/config-schema.ts by \`${CONFIG_DOCS_COMMAND}\`. Do not edit: change the schema's descriptions and run it again. -->`,
    '# Configuration',
    `_Generated from the schema in \`lib/config-schema.ts\` by \`${CONFIG_DOCS_COMMAND}\`: change the descriptions there._`,
    'staging-db-restore has one configuration: the `staging-db-restore` key of the CDK context, in `cdk.json` ' +
      "or given on the command line as JSON (`cdk synth -c staging-db-restore='{...}'`, which takes the " +
      'place of the cdk.json value). `cdk synth` (and so `cdk deploy`) validates it once, in `lib/config.ts`: a ' +
      'bad value or an unknown field fails synth with a message naming the field, before anything is deployed.',
    'Give only what differs from the defaults. An object given in part keeps the defaults of the fields it ' +
      'leaves out (`"waits": { "restore": { "maxMinutes": 480 } }` keeps `waits.restore.pollSeconds` and ' +
      'every other wait); an array replaces its default whole.',
    'For example, in `cdk.json`: run on the first Monday of each month at 06:00 UTC, give the restore 8 hours, ' +
      "link the alarms to your copy of the runbook, and run the functions in staging's VPC:",
    `\`\`\`json\n${JSON.stringify(cdkJson, null, 2)}\n\`\`\``,
    '## Reference',
    `The fields by group: ${index.join(', ')}.`,
    ['### Top-level fields', section(topLevel)].join('\n\n'),
    ...groups,
  ].join('\n\n');
}

/** The document as committed: Prettier-formatted with the repository's settings. */
export async function renderConfigDocs(): Promise<string> {
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(CONFIG_DOCS);
  return prettier.format(configDocsMarkdown(), { ...options, filepath: CONFIG_DOCS });
}

if (require.main === module) {
  renderConfigDocs().then(
    (text) => {
      if (process.argv.includes('--stdout')) {
        process.stdout.write(text);
        return;
      }
      fs.writeFileSync(CONFIG_DOCS, text);
      console.log(`wrote ${path.relative(process.cwd(), CONFIG_DOCS)} (${text.length} characters)`);
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
