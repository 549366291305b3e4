{#- Statistics for proportions of audits, in SQL so BI tools, the report and the open data all
    read the same figures. -#}

{#- The two-sided 95% critical value of the standard normal distribution. -#}
{% macro z_95() -%}
    {{ return(1.959963984540054) }}
{%- endmacro %}

{#- The percent, and its 95% Wilson score interval in percent, as three columns. The interval
    is given only for proportions of audits: each audit is one independent trial. Selection
    shares (one audit can make several selections) get none. -#}
{% macro proportion_columns(numerator, denominator, unit) -%}
    case
        when {{ denominator }} > 0 then 100.0 * {{ numerator }} / {{ denominator }}
    end as percent,
    case
        when {{ unit }} = 'audits' then {{ wilson_bound(numerator, denominator, 'lower') }}
    end as ci_lower,
    case
        when {{ unit }} = 'audits' then {{ wilson_bound(numerator, denominator, 'upper') }}
    end as ci_upper
{%- endmacro %}

{#- One bound of the 95% Wilson score interval for successes out of trials, in percent:
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n). Exactly 0 (100) for the lower (upper)
    bound of no (all) successes, where floating point would give 1e-16; null with no trials. -#}
{% macro wilson_bound(successes, trials, bound) -%}
    {%- set z = z_95() -%}
    {%- set sign = '-' if bound == 'lower' else '+' -%}
    {%- set edge = '0' if bound == 'lower' else trials -%}
    case
        when {{ successes }} = {{ edge }} and {{ trials }} > 0 then {{ '0.0' if bound == 'lower' else '100.0' }}
        when {{ trials }} > 0
            then least(100.0, greatest(0.0, 100.0 * (
                cast({{ successes }} as double) / {{ trials }}
                + {{ z * z }} / (2.0 * {{ trials }})
                {{ sign }} {{ z }} * sqrt(
                    (cast({{ successes }} as double) / {{ trials }})
                    * (1.0 - cast({{ successes }} as double) / {{ trials }}) / {{ trials }}
                    + {{ z * z }} / (4.0 * {{ trials }} * {{ trials }})
                )
            ) / (1.0 + {{ z * z }} / {{ trials }})))
    end
{%- endmacro %}

{#- The pooled two-proportion z statistic for x1/n1 against x2/n2 (positive when x1/n1 is the
    higher). Null when the pooled proportion is 0 or 1 (no variance to test against). -#}
{% macro two_proportion_z(x1, n1, x2, n2) -%}
    case
        when {{ n1 }} > 0 and {{ n2 }} > 0 and {{ x1 }} + {{ x2 }} > 0
            and {{ x1 }} + {{ x2 }} < {{ n1 }} + {{ n2 }}
            then (cast({{ x1 }} as double) / {{ n1 }} - cast({{ x2 }} as double) / {{ n2 }})
            / sqrt(
                (cast({{ x1 }} + {{ x2 }} as double) / ({{ n1 }} + {{ n2 }}))
                * (1.0 - cast({{ x1 }} + {{ x2 }} as double) / ({{ n1 }} + {{ n2 }}))
                * (1.0 / {{ n1 }} + 1.0 / {{ n2 }})
            )
    end
{%- endmacro %}

{#- The two-sided p-value of a standard normal statistic, erfc(|z| / sqrt 2). DuckDB has no
    erf, so this is Abramowitz and Stegun's formula 7.1.26 (absolute error below 1.5e-7);
    significance itself is decided on |z| against the exact critical value, not on this. -#}
{% macro two_sided_normal_p(z) -%}
    {%- set t -%}(1.0 / (1.0 + 0.3275911 * abs({{ z }}) / sqrt(2.0))){%- endset -%}
    {{ t }} * (
        0.254829592 + {{ t }} * (
            -0.284496736 + {{ t }} * (1.421413741 + {{ t }} * (-1.453152027 + {{ t }} * 1.061405429))
        )
    ) * exp(-({{ z }} * {{ z }}) / 2.0)
{%- endmacro %}

{#- Funnel-plot control limits (Spiegelhalter 2005) around a benchmark proportion, in percent:
    the normal approximation to the binomial, p ± z·sqrt(p(1-p)/n) for an authority with n
    audits in the measure's base, clipped to 0..100. z is 1.96 for 95% and 3.09 for 99.8%
    (two-sided). Null without a base. -#}
{% macro funnel_limit(benchmark_percent, base, z, bound) -%}
    {%- set sign = '-' if bound == 'lower' else '+' -%}
    case
        when {{ base }} > 0 and {{ benchmark_percent }} is not null
            then least(100.0, greatest(0.0,
                {{ benchmark_percent }} {{ sign }} 100.0 * cast({{ z }} as double) * sqrt(
                    ({{ benchmark_percent }} / 100.0) * (1.0 - {{ benchmark_percent }} / 100.0)
                    / {{ base }}
                )
            ))
    end
{%- endmacro %}

{#- The two-sided 99.8% critical value of the standard normal distribution (funnel plots' outer
    limits: about 3 standard errors). -#}
{% macro z_998() -%}
    {{ return(3.090232306167813) }}
{%- endmacro %}

{#- Fewer audits than this in an authority's base and its figure is not compared with the
    region's: the normal approximation of the funnel limits needs a base of some size, and a
    handful of audits says little either way. -#}
{% macro benchmark_min_base() -%}
    {{ return(10) }}
{%- endmacro %}
