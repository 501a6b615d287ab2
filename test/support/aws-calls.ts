import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * Which AWS APIs can a Lambda handler call? Derived from the code, for the IAM completeness test
 * (test/lib/iam.test.ts).
 *
 * Why not simply scan every file a bundle pulls in for `new XxxCommand(`: lambdas/shared/guard.ts holds all
 * RDS mutations as methods of one class, and a step that only uses `RdsGuard.check` (sanitize) would then
 * "call" DeleteDBInstance, demanding a permission it must not have. So this is a small reachability analysis
 * on the TypeScript syntax tree (the parser only: a type-checked program of lambdas/ takes 10+ s here):
 *
 *  - start from the entry file's top-level code; a loaded module's top-level code (variable initializers,
 *    expression statements) counts as run, since it runs on import;
 *  - an identifier naming a top-level function, class or variable of the same file, or a value imported from
 *    a project file (relative import, re-exports followed), makes that declaration reachable;
 *  - a class is reachable through its name (constructor, field initializers, `extends`); its methods and
 *    accessors only through a member access of the same name (`guard.delete(...)`) anywhere in reachable code;
 *  - a value imported from `@aws-sdk/client-*` named `XxxCommand` or `paginateXxx` is a call of Xxx.
 *
 * It over-approximates (a reference counts as a call; shadowing is ignored; a member name matches every
 * reachable class's member of that name), so it may demand a grant that is not needed, never miss one that is.
 * What it cannot see fails loudly instead of being skipped: an AWS package it does not know, an aggregated
 * client (`new RDS().deleteDBInstance()`), a value import from a client package it cannot classify, a dynamic
 * `import()` or `require()`, a namespace import of a client package.
 */

/** `@aws-sdk/client-*` package → IAM service prefix. A package not listed here fails the analysis. */
export const CLIENT_SERVICE_PREFIX: Record<string, string> = {
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-cloudformation': 'cloudformation',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-sts': 'sts',
};

/** SDK operations whose IAM action has another name (the rest are `<prefix>:<Operation>`). */
const ACTION_OF_OPERATION: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
  'lambda:InvokeWithResponseStream': 'lambda:InvokeFunction',
};

/**
 * Actions an operation needs beyond its own, in this project's use (docs/aws-facts.md: "Restore needs
 * rds:RestoreDBInstanceFromDBSnapshot ... plus rds:AddTagsToResource when tags are set or copied").
 */
const ALSO_NEEDED: Record<string, string[]> = {
  'rds:RestoreDBInstanceFromDBSnapshot': ['rds:AddTagsToResource'],
};

export interface AwsCall {
  /** `@aws-sdk/client-rds` */
  pkg: string;
  /** `DeleteDBInstance` */
  operation: string;
  /** Where it is referenced: `lambdas/shared/guard.ts` */
  file: string;
}

export class AwsCallAnalysisError extends Error {
  override name = 'AwsCallAnalysisError';
}

/** The IAM actions one call needs. Throws for a client package with no known IAM prefix. */
export function iamActionsOf(call: Pick<AwsCall, 'pkg' | 'operation'>): string[] {
  const prefix = CLIENT_SERVICE_PREFIX[call.pkg];
  if (!prefix) {
    throw new AwsCallAnalysisError(
      `${call.pkg} (${call.operation}) has no IAM service prefix: add it to CLIENT_SERVICE_PREFIX in test/support/aws-calls.ts`,
    );
  }
  const own = `${prefix}:${call.operation}`;
  const action = ACTION_OF_OPERATION[own] ?? own;
  return [action, ...(ALSO_NEEDED[action] ?? [])];
}

type Decl = ts.FunctionDeclaration | ts.ClassDeclaration | ts.VariableDeclaration | ts.EnumDeclaration;
type Import = { from: string; name: string /* 'default' | '*' | exported name */ };

interface Module {
  file: string;
  source: ts.SourceFile;
  decls: Map<string, Decl>;
  imports: Map<string, Import>;
  /** Exported name → local name, or a re-export. */
  exports: Map<string, { local: string } | Import>;
  /** Top-level code that runs when the module is loaded. */
  init: ts.Node[];
  /** `import './x'`: loaded for its side effects. */
  sideEffects: string[];
}

export interface AnalysisOptions {
  /** Repository root, for the file names in the result. */
  root: string;
  readFile?: (file: string) => string | undefined;
}

/** Every AWS API call reachable from `entry` (an absolute path to a .ts file). */
export function awsCallsOf(entry: string, options: AnalysisOptions): { calls: AwsCall[]; files: string[] } {
  const read = options.readFile ?? ((f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined));
  const modules = new Map<string, Module>();
  const rel = (file: string) => path.relative(options.root, file).split(path.sep).join('/');

  const load = (file: string): Module => {
    const known = modules.get(file);
    if (known) return known;
    const text = read(file);
    if (text === undefined) throw new AwsCallAnalysisError(`Cannot read ${rel(file)}`);
    const module = parsed(file, text);
    modules.set(file, module);
    queue.push(...module.init.map((node) => ({ module, node })));
    for (const specifier of module.sideEffects) {
      const target = resolve(file, specifier);
      if (target) load(target);
    }
    return module;
  };
  const resolve = (from: string, specifier: string): string | null => {
    if (!specifier.startsWith('.')) return null;
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
      if (read(candidate) !== undefined) return candidate;
    }
    throw new AwsCallAnalysisError(`Cannot resolve ${specifier} from ${rel(from)}`);
  };

  const queue: { module: Module; node: ts.Node }[] = [];
  const reachedDecls = new Set<Decl>();
  const reachedClasses = new Set<ts.ClassDeclaration>();
  const reachedMembers = new Set<ts.Node>();
  const memberNames = new Set<string>();
  const calls = new Map<string, AwsCall>();

  const reachDecl = (module: Module, decl: Decl) => {
    if (reachedDecls.has(decl)) return;
    reachedDecls.add(decl);
    if (ts.isClassDeclaration(decl)) {
      reachedClasses.add(decl);
      for (const clause of decl.heritageClauses ?? []) {
        if (clause.token === ts.SyntaxKind.ExtendsKeyword) queue.push({ module, node: clause });
      }
      for (const member of decl.members) {
        const always =
          ts.isConstructorDeclaration(member) ||
          ts.isClassStaticBlockDeclaration(member) ||
          (ts.isPropertyDeclaration(member) && member.initializer);
        if (always) queue.push({ module, node: member });
      }
    } else {
      queue.push({ module, node: decl });
    }
  };

  /** A name imported into `module`, followed to its declaration (through re-exports) or to a package. */
  const reachImport = (module: Module, imported: Import, via: string) => {
    const target = resolve(module.file, imported.from);
    if (target === null) {
      external(imported.from, imported.name, module, via);
      return;
    }
    const other = load(target);
    if (imported.name === '*') {
      for (const name of other.exports.keys()) reachExport(other, name);
    } else {
      reachExport(other, imported.name);
    }
  };
  const reachExport = (module: Module, name: string) => {
    const exported = module.exports.get(name);
    if (!exported) {
      // `export * from` is not followed; fail rather than guess.
      throw new AwsCallAnalysisError(`${rel(module.file)} has no export named ${name} that this analysis can follow`);
    }
    if ('local' in exported) {
      const decl = module.decls.get(exported.local);
      if (decl) reachDecl(module, decl);
      else {
        const imported = module.imports.get(exported.local);
        if (imported) reachImport(module, imported, exported.local);
      }
    } else {
      reachImport(module, exported, name);
    }
  };

  const external = (pkg: string, name: string, module: Module, via: string) => {
    if (!pkg.startsWith('@aws-sdk/')) return;
    const where = `${rel(module.file)} (${via})`;
    if (!/^@aws-sdk\/client-/.test(pkg)) {
      throw new AwsCallAnalysisError(`${where} uses ${pkg}, which is not a client package this analysis understands`);
    }
    if (!(pkg in CLIENT_SERVICE_PREFIX)) {
      throw new AwsCallAnalysisError(
        `${where} uses ${pkg}: add its IAM service prefix to CLIENT_SERVICE_PREFIX in test/support/aws-calls.ts`,
      );
    }
    if (name === '*' || name === 'default') {
      throw new AwsCallAnalysisError(`${where} imports ${pkg} as a whole; import the commands by name`);
    }
    const command = /^(\w+)Command$/.exec(name) ?? /^paginate(\w+)$/.exec(name);
    if (command) {
      const operation = command[1]!;
      calls.set(`${pkg}:${operation}`, { pkg, operation, file: rel(module.file) });
      return;
    }
    if (/Client$/.test(name) || /(Exception|Fault|Error)$/.test(name)) return;
    throw new AwsCallAnalysisError(
      `${where} uses ${name} from ${pkg}: an aggregated client or a value this analysis cannot classify ` +
        '(use `client.send(new XxxCommand(...))`, or teach test/support/aws-calls.ts)',
    );
  };

  const visit = (module: Module, node: ts.Node): void => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (
      ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) ||
      ts.isImportDeclaration(node) ||
      (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword)
    ) {
      return;
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      throw new AwsCallAnalysisError(`${rel(module.file)} uses a dynamic import(), which this analysis cannot follow`);
    }
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      throw new AwsCallAnalysisError(`${rel(module.file)} uses require(), which this analysis cannot follow`);
    }
    if (ts.isPropertyAccessExpression(node)) {
      memberNames.add(node.name.text);
      visit(module, node.expression);
      return;
    }
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      memberNames.add(node.argumentExpression.text);
    }
    if (ts.isIdentifier(node) && isReference(node)) {
      const name = node.text;
      const decl = module.decls.get(name);
      if (decl) reachDecl(module, decl);
      const imported = module.imports.get(name);
      if (imported) reachImport(module, imported, name);
    }
    ts.forEachChild(node, (child) => visit(module, child));
  };

  load(entry);
  for (;;) {
    while (queue.length) {
      const { module, node } = queue.shift()!;
      visit(module, node);
    }
    // Methods and accessors of reachable classes whose name is accessed somewhere in reachable code.
    let more = false;
    for (const cls of reachedClasses) {
      const module = [...modules.values()].find((m) => m.source === cls.getSourceFile())!;
      for (const member of cls.members) {
        const name =
          member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))
            ? member.name.text
            : undefined;
        if (name && memberNames.has(name) && !reachedMembers.has(member)) {
          reachedMembers.add(member);
          queue.push({ module, node: member });
          more = true;
        }
      }
    }
    if (!more) break;
  }
  return {
    calls: [...calls.values()].sort((a, b) => `${a.pkg}${a.operation}`.localeCompare(`${b.pkg}${b.operation}`)),
    files: [...modules.keys()].map(rel).sort(),
  };
}

/** Whether an identifier is a use of a name (not a declaration's own name, a property name or a label). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (
    (ts.isFunctionDeclaration(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent) ||
      ts.isBindingElement(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassExpression(parent)) &&
    parent.name === node
  ) {
    return false;
  }
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  return true;
}

/** Parsed modules, shared by every analysis (they are not changed by one). */
const PARSED = new Map<string, Module>();

function parsed(file: string, text: string): Module {
  const key = `${file}\0${text}`;
  let module = PARSED.get(key);
  if (!module) PARSED.set(key, (module = parse(file, text)));
  return module;
}

function parse(file: string, text: string): Module {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const module: Module = {
    file,
    source,
    decls: new Map(),
    imports: new Map(),
    exports: new Map(),
    init: [],
    sideEffects: [],
  };
  const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
  const exported = (node: ts.Node) => hasModifier(node, ts.SyntaxKind.ExportKeyword);

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const from = (statement.moduleSpecifier as ts.StringLiteral).text;
      const clause = statement.importClause;
      if (!clause) {
        module.sideEffects.push(from);
        continue;
      }
      if (clause.isTypeOnly) continue;
      if (clause.name) module.imports.set(clause.name.text, { from, name: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) module.imports.set(bindings.name.text, { from, name: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          module.imports.set(element.name.text, { from, name: (element.propertyName ?? element.name).text });
        }
      }
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const from = statement.moduleSpecifier && (statement.moduleSpecifier as ts.StringLiteral).text;
      const clause = statement.exportClause;
      if (!clause || !ts.isNamedExports(clause)) {
        if (from)
          throw new AwsCallAnalysisError(`${file}: \`export * from '${from}'\` is not supported by this analysis`);
        continue;
      }
      for (const element of clause.elements) {
        if (element.isTypeOnly) continue;
        const local = (element.propertyName ?? element.name).text;
        module.exports.set(element.name.text, from ? { from, name: local } : { local });
      }
    } else if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement)
    ) {
      if (!statement.name) continue;
      module.decls.set(statement.name.text, statement);
      if (exported(statement)) {
        const as = hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? 'default' : statement.name.text;
        module.exports.set(as, { local: statement.name.text });
      }
      if (ts.isEnumDeclaration(statement)) module.init.push(statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        for (const name of boundNames(declaration.name)) {
          module.decls.set(name, declaration);
          if (exported(statement)) module.exports.set(name, { local: name });
        }
        // Initializers run on import.
        if (declaration.initializer) module.init.push(declaration.initializer);
      }
    } else if (ts.isExportAssignment(statement)) {
      module.init.push(statement.expression);
    } else if (!ts.isInterfaceDeclaration(statement) && !ts.isTypeAliasDeclaration(statement)) {
      module.init.push(statement);
    }
  }
  return module;
}

function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : boundNames(e.name)));
}
