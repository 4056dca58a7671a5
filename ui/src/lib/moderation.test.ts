// The moderation rule the web site's chat follows (shared-ts/, one copy for ui/ and web/).
import { describe, expect, it } from 'vitest';
import { moderationOf } from '../../../shared-ts/chat-rules';

describe('moderationOf', () => {
  it('offers delete and kick only for the capabilities the token carries', () => {
    expect(moderationOf(['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER'])).toEqual({
      canDelete: true,
      canKick: true,
    });
    expect(moderationOf(['SEND_MESSAGE', 'DELETE_MESSAGE'])).toEqual({ canDelete: true, canKick: false });
    expect(moderationOf(['SEND_MESSAGE'])).toEqual({ canDelete: false, canKick: false });
  });

  it('offers nothing when the backend reports no capabilities', () => {
    expect(moderationOf([])).toEqual({ canDelete: false, canKick: false });
    expect(moderationOf(undefined)).toEqual({ canDelete: false, canKick: false });
    expect(moderationOf(null)).toEqual({ canDelete: false, canKick: false });
  });
});
