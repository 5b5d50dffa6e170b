/**
 * A small parser for integer arithmetic with `+`, `-`, `*` and parentheses, used by the `arith`
 * model instead of `eval`. Precedence is the usual one (`*` before `+`/`-`, left to right), unary
 * minus is allowed, and `×` / `−` are read as `*` / `-`. It also finds the first expression inside
 * a sentence, so `What is the result of 12+17*3-5+9*2?` yields `12+17*3-5+9*2`.
 *
 * Grammar: expression = term (("+" | "-") term)* ; term = factor ("*" factor)* ;
 * factor = ("-" | "+") factor | integer | "(" expression ")".
 */
import { ConclaveError } from '../../src/protocol/index.js';

export type ArithNode =
  | { kind: 'number'; value: number }
  | { kind: 'negate'; operand: ArithNode }
  | { kind: 'group'; inner: ArithNode }
  | { kind: 'binary'; operator: '+' | '-' | '*'; left: ArithNode; right: ArithNode };

const maximumDepth = 64;

/** Recursive-descent parser over a text, starting at a position; stops where the grammar ends. */
class ExpressionParser {
  position: number;
  private depth = 0;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.position = start;
  }

  private skipSpaces(): void {
    while (this.text[this.position] === ' ' || this.text[this.position] === '\t') this.position += 1;
  }

  /** Reads one of the given operators (after spaces), normalising `×` and `−`. */
  private readOperator(allowed: string): '+' | '-' | '*' | undefined {
    this.skipSpaces();
    const raw = this.text[this.position];
    const operator = raw === '×' ? '*' : raw === '−' ? '-' : raw;
    if (operator === undefined || !allowed.includes(operator)) return undefined;
    this.position += 1;
    return operator as '+' | '-' | '*';
  }

  expression(): ArithNode | undefined {
    let left = this.term();
    if (left === undefined) return undefined;
    for (;;) {
      const saved = this.position;
      const operator = this.readOperator('+-');
      const right = operator === undefined ? undefined : this.term();
      if (operator === undefined || right === undefined) {
        this.position = saved;
        return left;
      }
      left = { kind: 'binary', operator, left, right };
    }
  }

  private term(): ArithNode | undefined {
    let left = this.factor();
    if (left === undefined) return undefined;
    for (;;) {
      const saved = this.position;
      const operator = this.readOperator('*');
      const right = operator === undefined ? undefined : this.factor();
      if (operator === undefined || right === undefined) {
        this.position = saved;
        return left;
      }
      left = { kind: 'binary', operator, left, right };
    }
  }

  private factor(): ArithNode | undefined {
    if (this.depth >= maximumDepth) return undefined;
    const saved = this.position;
    this.depth += 1;
    try {
      const sign = this.readOperator('+-');
      if (sign !== undefined) {
        const operand = this.factor();
        if (operand === undefined) {
          this.position = saved;
          return undefined;
        }
        return sign === '-' ? { kind: 'negate', operand } : operand;
      }
      this.skipSpaces();
      if (this.text[this.position] === '(') {
        this.position += 1;
        const inner = this.expression();
        this.skipSpaces();
        if (inner === undefined || this.text[this.position] !== ')') {
          this.position = saved;
          return undefined;
        }
        this.position += 1;
        return { kind: 'group', inner };
      }
      return this.integer(saved);
    } finally {
      this.depth -= 1;
    }
  }

  private integer(saved: number): ArithNode | undefined {
    const start = this.position;
    while (isDigit(this.text[this.position])) this.position += 1;
    // A decimal such as 3.5 is not an integer literal: refuse it rather than read "3".
    const decimal = this.text[this.position] === '.' && isDigit(this.text[this.position + 1]);
    if (this.position === start || decimal) {
      this.position = saved;
      return undefined;
    }
    return { kind: 'number', value: Number(this.text.slice(start, this.position)) };
  }
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9';
}

function isWordCharacter(character: string | undefined): boolean {
  return character !== undefined && /[\p{L}\p{N}_.]/u.test(character);
}

function hasBinaryOperator(node: ArithNode): boolean {
  if (node.kind === 'binary') return true;
  if (node.kind === 'negate') return hasBinaryOperator(node.operand);
  if (node.kind === 'group') return hasBinaryOperator(node.inner);
  return false;
}

/**
 * Evaluates a parsed expression.
 *
 * @example
 * evaluateArithNode({ kind: 'binary', operator: '*', left: { kind: 'number', value: 6 }, right: { kind: 'number', value: 7 } }) // → 42
 */
export function evaluateArithNode(node: ArithNode): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'negate':
      return -evaluateArithNode(node.operand);
    case 'group':
      return evaluateArithNode(node.inner);
    case 'binary': {
      const left = evaluateArithNode(node.left);
      const right = evaluateArithNode(node.right);
      if (node.operator === '+') return left + right;
      if (node.operator === '-') return left - right;
      return left * right;
    }
  }
}

/**
 * Parses a whole string as one expression; throws `invalid_argument` when it is not one.
 *
 * @example
 * parseArithmeticExpression('2*(3+4)') // → { kind: 'binary', operator: '*', … }
 */
export function parseArithmeticExpression(source: string): ArithNode {
  const parser = new ExpressionParser(source, 0);
  const node = parser.expression();
  while (source[parser.position] === ' ' || source[parser.position] === '\t') parser.position += 1;
  if (node === undefined || parser.position !== source.length) {
    throw new ConclaveError('invalid_argument', `not an integer arithmetic expression: "${source}"`);
  }
  return node;
}

/**
 * Evaluates an integer expression with normal precedence; throws `invalid_argument` on bad input.
 *
 * @example
 * evaluateArithmetic('12+17*3-5+9*2') // → 76
 * evaluateArithmetic('(2+3)*-4')       // → -20
 */
export function evaluateArithmetic(source: string): number {
  return evaluateArithNode(parseArithmeticExpression(source));
}

export interface FoundExpression {
  /** The expression as written in the text, trimmed. */
  expression: string;
  node: ArithNode;
  value: number;
  /** Where the expression starts in the text. */
  index: number;
}

/**
 * Finds the first arithmetic expression with at least one binary operator in a text.
 *
 * @example
 * findArithmeticExpression('What is the result of 12+17*3-5+9*2?')
 * // → { expression: '12+17*3-5+9*2', value: 76, index: 22, node: … }
 */
export function findArithmeticExpression(text: string): FoundExpression | undefined {
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    const startsOperand =
      isDigit(character) ||
      character === '(' ||
      ((character === '-' || character === '−') && (isDigit(text[index + 1]) || text[index + 1] === '('));
    if (!startsOperand || isWordCharacter(text[index - 1])) continue;
    const parser = new ExpressionParser(text, index);
    const node = parser.expression();
    if (node !== undefined && hasBinaryOperator(node)) {
      return { expression: text.slice(index, parser.position).trim(), node, value: evaluateArithNode(node), index };
    }
    // Skip the rest of a number so that "123" is not retried as "23" and "3".
    if (isDigit(character)) while (isDigit(text[index + 1])) index += 1;
  }
  return undefined;
}
