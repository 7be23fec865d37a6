export * from './push-codes';
export * from './push-request';
export * from './receipts/push-status';
export * from './receipts/receipt';
export * from './receipts/receipt-outbox';
export * from './receipts/receipt-outbox.repository';
export * from './receipts/receipt-sender';
