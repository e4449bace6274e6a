// Address identity: lower-cased, plus-tag removed ("it+note@x" is it@x), so that loop brakes,
// participant checks and own-address checks compare the same thing. RFC 5233 subaddressing with "+".

export function baseAddress(address: string): string {
  const [local = '', domain = ''] = address.toLowerCase().split('@');
  return `${local.split('+')[0]}@${domain}`;
}
