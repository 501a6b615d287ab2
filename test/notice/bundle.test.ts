import * as fs from 'node:fs';
import { buildNotice, NOTICE_BUNDLE } from '../../scripts/build-notice';

describe('the Django notice script', () => {
  it('is committed exactly as npm run build:notice builds it from notice/ (rebuild it after editing notice/)', () => {
    // Arrange
    const committed = fs.readFileSync(NOTICE_BUNDLE, 'utf8');

    // Act
    const built = buildNotice();

    // Assert
    expect(built.length).toBeGreaterThan(1000);
    expect(committed === built).toBe(true);
  });
});
