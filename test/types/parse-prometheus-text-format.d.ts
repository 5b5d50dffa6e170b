// The package ships no types: the shape its README documents, as the metrics test reads it.
declare module 'parse-prometheus-text-format' {
  interface ParsedMetric {
    labels?: Record<string, string>;
    value?: string;
    count?: string;
    sum?: string;
    buckets?: Record<string, string>;
  }
  interface ParsedFamily {
    name: string;
    help: string;
    type: string;
    metrics: ParsedMetric[];
  }
  /** Parses the Prometheus text exposition format into metric families. */
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
