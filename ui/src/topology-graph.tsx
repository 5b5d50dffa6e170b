/**
 * The topology of a session drawn as SVG: one column per step in the order the steps ran (a phase
 * and round: `debate · round 2`), one node per agent of the step, arrows from each step to the next.
 * The step running now is highlighted (and carries `aria-current="step"`), as are the agents still
 * speaking. The layout is a plain grid: steps left to right, agents top to bottom.
 */
import type { GraphColumn } from './session-model.js';

const columnWidth = 170;
const columnGap = 40;
const nodeHeight = 34;
const nodeGap = 10;
const headerHeight = 34;
const padding = 12;

/**
 * The graph of `columns` (from `graphOf(model)`).
 *
 * @example
 * <TopologyGraph columns={graphOf(model)} />
 */
export function TopologyGraph({ columns }: { columns: GraphColumn[] }) {
  const rows = Math.max(1, ...columns.map((column) => column.nodes.length));
  const width = padding * 2 + columns.length * columnWidth + (columns.length - 1) * columnGap;
  const height = padding * 2 + headerHeight + rows * (nodeHeight + nodeGap);
  const current = columns.find((column) => column.current);
  return (
    <figure class="graph">
      <div class="graph-scroll">
        <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-labelledby="graph-caption">
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
            </marker>
          </defs>
          {columns.map((column, index) => {
            const x = padding + index * (columnWidth + columnGap);
            const columnHeight = headerHeight + Math.max(1, column.nodes.length) * (nodeHeight + nodeGap);
            return (
              <g key={column.key} class={column.current ? 'step current' : 'step'} data-step={column.label} aria-current={column.current ? 'step' : undefined}>
                <rect x={x} y={padding} width={columnWidth} height={columnHeight} rx={8} class="step-box" />
                <text x={x + columnWidth / 2} y={padding + 22} text-anchor="middle" class="step-label">
                  {column.label}
                </text>
                {column.nodes.map((node, row) => {
                  const y = padding + headerHeight + row * (nodeHeight + nodeGap);
                  return (
                    <g key={node.agent} class={`node node-${node.state}`} data-agent={node.agent} data-state={node.state}>
                      <rect x={x + 10} y={y} width={columnWidth - 20} height={nodeHeight} rx={17} />
                      <text x={x + columnWidth / 2} y={y + 22} text-anchor="middle">
                        {node.agent}
                      </text>
                    </g>
                  );
                })}
                {index < columns.length - 1 && (
                  <line x1={x + columnWidth} y1={padding + columnHeight / 2} x2={x + columnWidth + columnGap - 2} y2={padding + columnHeight / 2} class="edge" marker-end="url(#arrow)" />
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption id="graph-caption">{current !== undefined ? `Running: ${current.label}` : `Steps: ${columns.map((column) => column.label).join(' → ')}`}</figcaption>
    </figure>
  );
}
