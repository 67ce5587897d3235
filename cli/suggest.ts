export { didYouMean, editDistance } from '../core/suggest';
