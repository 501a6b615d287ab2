import { makeHandler, validateExecutionInput } from '../../lambdas/validate-input/validate-input';
import { BAD_INPUTS } from './bad-inputs';
import { caught, EXECUTION } from './fixtures';

const validate = makeHandler({});

describe('validate-input', () => {
  it.each([
    [{}, { dryRun: false, snapshotIdentifier: '', skipPostSteps: false }],
    [{ dryRun: true }, { dryRun: true, snapshotIdentifier: '', skipPostSteps: false }],
    [
      { snapshotIdentifier: 'rds:prod-openverse-db-2026-11-30-12-00', skipPostSteps: true },
      { dryRun: false, snapshotIdentifier: 'rds:prod-openverse-db-2026-11-30-12-00', skipPostSteps: true },
    ],
    [
      { snapshotIdentifier: 'prod-before-migration' },
      { dryRun: false, snapshotIdentifier: 'prod-before-migration', skipPostSteps: false },
    ],
    // What the console pre-fills when "Start execution" is clicked without editing the input.
    [{ Comment: 'Insert your JSON here' }, { dryRun: false, snapshotIdentifier: '', skipPostSteps: false }],
  ])('accepts %j and fills in the defaults', async (input, expected) => {
    // Act
    const result = await validate({ input, execution: EXECUTION });

    // Assert
    expect(result).toEqual(expected);
  });

  it(`refuses ${BAD_INPUTS.length} kinds of bad input with InvalidInput naming the problem`, async () => {
    // Act
    const errors = await Promise.all(
      BAD_INPUTS.map(([, input]) => caught(() => validate({ input, execution: EXECUTION }))),
    );

    // Assert
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(20);
    errors.forEach((err, i) => {
      const [what, , says] = BAD_INPUTS[i]!;
      expect({ what, name: err.name, says: err.message.includes(says) }).toEqual({
        what,
        name: 'InvalidInput',
        says: true,
      });
    });
  });

  it('never echoes a value that is not plainly safe to show', () => {
    // Arrange
    const hostile = ['<!channel> rm -rf /', "x'; DROP TABLE image; --", `rds:${'a'.repeat(300)}`, 'rds:prоd'];

    // Act
    const messages = hostile.map((snapshotIdentifier) => {
      try {
        validateExecutionInput({ snapshotIdentifier });
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    });

    // Assert
    messages.forEach((message, i) => {
      expect(message).not.toContain(hostile[i]);
      expect(message).toMatch(/a string of \d+ characters/);
    });
    expect(() => validateExecutionInput({ snapshotIdentifier: 'x--y' })).toThrow('(got "x--y")');
  });

  it('names a hostile unknown key by its length only', () => {
    // Act
    const err = (() => {
      try {
        validateExecutionInput({ '<!here> please': true });
      } catch (e) {
        return e as Error;
      }
    })();

    // Assert
    expect(err?.message).toContain('(a name of 14 characters) is not allowed');
    expect(err?.message).not.toContain('<!here>');
  });
});
