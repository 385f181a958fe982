/** The application id the simulator puts in notification metadata. */
export const SIM_APPLICATION_ID = 'amzn1.sp.solution.sellbridge-simulator';
