/** The error `attempt` ends with, thrown or rejected; `undefined` when it ends without one. */
export async function thrownBy(attempt: () => unknown): Promise<unknown> {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  return undefined;
}
