{#- Two-sided p-value of a Student t statistic with df degrees of freedom (df may be
    fractional, as Welch's is), by Wallace's normal approximation:
    z = (8 df + 1) / (8 df + 3) x sqrt(df x ln(1 + t^2 / df)), then the normal tail
    (normal_two_sided_p_value). Against the exact t distribution (scipy.stats.t, tested):
    within 2e-4 at df >= 10 and 2.5e-5 at df >= 30; the readouts' df are in the hundreds or
    more. Null when df is null or not positive. -#}
{% macro student_t_two_sided_p_value(t, df) -%}
    {%- set df = 'cast(' ~ df ~ ' as ' ~ type_double() ~ ')' -%}
    (case when {{ df }} > 0 then
        {{ normal_two_sided_p_value(
            '(8.0 * ' ~ df ~ ' + 1.0) / (8.0 * ' ~ df ~ ' + 3.0) * sqrt(' ~ df
            ~ ' * ln(1.0 + (' ~ t ~ ') * (' ~ t ~ ') / ' ~ df ~ '))'
        ) }}
    end)
{%- endmacro %}
