// Types for the generated validator (see scripts/generate-card-validator.ts).
declare const validate: (data: unknown) => boolean;
export default validate;
