// Shared by the scenarios of this folder (each bundled on its own, so each bundle holds its own copy).
/** Whether `secret` shows anywhere a caller could print an error: message, stack, JSON, String(). */
export const leaks = (error, secret) => `${error?.message}\n${error?.stack}\n${JSON.stringify(error)}\n${String(error)}`.includes(secret);
