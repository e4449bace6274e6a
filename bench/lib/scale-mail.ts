// The scale bench's mail: one new request per message, from many requesters (no loop brake), with
// topics the shipped rules route. Deterministic, so every worker process fills its mailboxes alike.
const TOPICS = [
  'The printer on floor two jams on every job', 'My laptop does not start after the update', 'VPN drops every hour since Monday',
  'Please reset my password, it expired abroad', 'My payslip shows the wrong hours for March', 'How many holiday days do I have left',
  'The monitor flickers when I connect the dock', 'I need a copy of my employment contract',
];

export function scaleMail(to: string, i: number): string {
  const topic = TOPICS[i % TOPICS.length]!;
  const from = `requester${i % 997}@client.example`;
  return [
    `From: Requester ${i} <${from}>`,
    `To: ${to}`,
    `Subject: ${topic} (${i})`,
    `Message-ID: <scale-${i}-${to}@client.example>`,
    'Date: Mon, 02 Mar 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, ${topic.toLowerCase()}. Reference ${i}. Thanks.`,
    '',
  ].join('\r\n');
}
