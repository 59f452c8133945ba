{#- Average of a numeric expression as a 64-bit float (null over no non-null values) that does
    not depend on the order the engine adds the rows in. A float avg() does: DuckDB's threads,
    person buckets or Spark's partitions sum in a different order from one build to the next,
    and the last bits (about 1e-14) change. Here each value is rounded once to decimal(38, 12),
    summed exactly, and divided by the count, so the same rows give the same bits. 12 decimals
    keep every digit that matters of the project's rates (0-1), scores (0-100) and averaged
    counts and minutes, and leave 26 digits for the sum. Standard SQL on every engine (avg of
    a decimal is numeric on Postgres, decimal on Spark, an exact sum on DuckDB). -#}
{% macro exact_avg(expression) -%}
    cast(avg(cast({{ expression }} as decimal(38, 12))) as {{ type_double() }})
{%- endmacro %}
