// A module for `weft serve <module>` tests: two compiled graphs, one named and one default export.
import { START, StateGraph } from "weft";

export const shout = new StateGraph<{ text: string }>()
  .addNode("upper", (state: { text: string }) => ({ text: state.text.toUpperCase() }))
  .addEdge(START, "upper")
  .compile();

export default new StateGraph<{ text: string }>()
  .addNode("same", (state: { text: string }) => ({ text: state.text }))
  .addEdge(START, "same")
  .compile();

export const notAGraph = 42;
