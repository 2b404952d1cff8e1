// Shared read/edit for kinds whose change is "replace the token in place".
import { UnsafeFileError } from '../../errors.ts';
import type { Found, TargetKind } from '../kind.ts';
import { checkNewVersion, spliceToken } from '../splice.ts';

type KindBody = Omit<TargetKind, 'read' | 'edit'> & Partial<Pick<TargetKind, 'read' | 'edit'>>;

function tokenOf(found: Found, file = 'file') {
  if (!found.token)
    throw new UnsafeFileError({ file, field: found.field }, found.problem ?? 'no readable version');
  return found.token;
}

export function defineKind(body: KindBody): TargetKind {
  return {
    read: (_text, found) => tokenOf(found).text,
    edit: (text, found, newVersion) => {
      const token = tokenOf(found);
      checkNewVersion(token, newVersion, found.field);
      return spliceToken(text, token, newVersion);
    },
    ...body,
  };
}
