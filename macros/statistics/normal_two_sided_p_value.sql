{#- Two-sided p-value of a standard normal statistic z: P(|Z| >= |z|) = erfc(|z| / sqrt 2),
    at most 1 (erfc's fit overshoots 1 by 1e-8 at 0). Null when z is null. -#}
{% macro normal_two_sided_p_value(z) -%}
    {{ at_most_one(erfc('abs(' ~ z ~ ') / sqrt(2.0)')) }}
{%- endmacro %}
