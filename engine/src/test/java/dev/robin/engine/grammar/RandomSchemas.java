package dev.robin.engine.grammar;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schemas the random-sampling tests generate documents for, by name: nested objects, arrays, enums, anyOf and
 * oneOf, $ref and recursion, patterns, number ranges, formats. Written with single quotes for readability. Used by
 * the grammar's own tests (random tokens over Qwen3's vocabulary, no model) and by the engine's
 * {@code ConstrainedGenerationScaleTest} (a random-weight model through the whole engine).
 */
public final class RandomSchemas {

  private RandomSchemas() {}

  public static Map<String, String> all() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("person", "{'type':'object','properties':{'name':{'type':'string','maxLength':20},"
        + "'age':{'type':'integer','minimum':0,'maximum':150},'email':{'type':'string','format':'email'}},"
        + "'required':['name','age'],'additionalProperties':false}");
    s.put("nested-address", "{'type':'object','properties':{'name':{'type':'string','maxLength':12},"
        + "'address':{'type':'object','properties':{'street':{'type':'string','maxLength':16},"
        + "'zip':{'type':'string','pattern':'^[0-9]{5}$'},'country':{'enum':['DE','FR','US','JP']}},"
        + "'required':['street','zip','country']}},'required':['name','address']}");
    s.put("tags-array", "{'type':'object','properties':{'tags':{'type':'array','items':{'type':'string',"
        + "'minLength':1,'maxLength':10},'minItems':1,'maxItems':5}},'required':['tags']}");
    s.put("status-enum", "{'type':'object','properties':{'status':{'type':'string','enum':['active','inactive',"
        + "'pending']},'priority':{'enum':[1,2,3]}},'required':['status','priority']}");
    s.put("anyOf-scalars", "{'type':'object','properties':{'v':{'anyOf':[{'type':'string','maxLength':8},"
        + "{'type':'integer'},{'type':'null'}]}},'required':['v']}");
    s.put("ref-defs", "{'$defs':{'point':{'type':'object','properties':{'x':{'type':'number','minimum':-100,"
        + "'maximum':100},'y':{'type':'number','minimum':-100,'maximum':100}},'required':['x','y']}},"
        + "'type':'object','properties':{'start':{'$ref':'#/$defs/point'},'end':{'$ref':'#/$defs/point'}},"
        + "'required':['start','end']}");
    s.put("recursive-tree", "{'$defs':{'node':{'type':'object','properties':{'value':{'type':'integer',"
        + "'minimum':0,'maximum':99},'children':{'type':'array','items':{'$ref':'#/$defs/node'},'maxItems':3}},"
        + "'required':['value']}},'$ref':'#/$defs/node'}");
    s.put("number-ranges", "{'type':'object','properties':{'temperature':{'type':'number','minimum':-50.5,"
        + "'maximum':60.25},'ratio':{'type':'number','exclusiveMinimum':0,'exclusiveMaximum':1},"
        + "'percent':{'type':'integer','minimum':0,'maximum':100},'offset':{'type':'integer','minimum':-20,"
        + "'exclusiveMaximum':-3}},'required':['temperature','ratio','percent','offset']}");
    s.put("formats-time", "{'type':'object','properties':{'day':{'type':'string','format':'date'},"
        + "'at':{'type':'string','format':'date-time'},'clock':{'type':'string','format':'time'}},"
        + "'required':['day','at','clock']}");
    s.put("formats-ids", "{'type':'object','properties':{'id':{'type':'string','format':'uuid'},"
        + "'ip':{'type':'string','format':'ipv4'},'mail':{'type':'string','format':'email'}},"
        + "'required':['id','ip','mail']}");
    s.put("formats-net", "{'type':'object','properties':{'host':{'type':'string','format':'hostname'},"
        + "'v6':{'type':'string','format':'ipv6'},'link':{'type':'string','format':'uri'}},"
        + "'required':['host','v6','link']}");
    s.put("booleans-nulls", "{'type':'object','properties':{'ok':{'type':'boolean'},'nothing':{'type':'null'},"
        + "'flags':{'type':'array','items':{'type':'boolean'},'maxItems':4}},'required':['ok','nothing','flags']}");
    s.put("type-arrays", "{'type':'object','properties':{'a':{'type':['string','null'],'maxLength':5},"
        + "'b':{'type':['integer','boolean']}},'required':['a','b']}");
    s.put("oneOf-shapes", "{'type':'object','properties':{'shape':{'oneOf':[{'type':'object','properties':{"
        + "'kind':{'const':'circle'},'radius':{'type':'number','minimum':0,'maximum':10}},"
        + "'required':['kind','radius'],'additionalProperties':false},{'type':'object','properties':{"
        + "'kind':{'const':'rect'},'w':{'type':'integer','minimum':1,'maximum':9},'h':{'type':'integer',"
        + "'minimum':1,'maximum':9}},'required':['kind','w','h'],'additionalProperties':false}]}},"
        + "'required':['shape']}");
    s.put("additional-schema", "{'type':'object','properties':{'total':{'type':'integer','minimum':0}},"
        + "'additionalProperties':{'type':'integer','minimum':0,'maximum':9},'required':['total']}");
    s.put("additional-true", "{'type':'object','properties':{'id':{'type':'integer'}},"
        + "'additionalProperties':true,'required':['id']}");
    s.put("products", "{'type':'array','items':{'type':'object','properties':{'sku':{'type':'string',"
        + "'pattern':'^[A-Z]{3}-[0-9]{4}$'},'price':{'type':'number','minimum':0,'maximum':1000},"
        + "'qty':{'type':'integer','minimum':1}},'required':['sku','price','qty']},'minItems':1,'maxItems':4}");
    s.put("deep-nesting", "{'type':'object','properties':{'a':{'type':'object','properties':{'b':{'type':'object',"
        + "'properties':{'c':{'type':'object','properties':{'d':{'type':'array','items':{'type':'integer'},"
        + "'maxItems':2}},'required':['d']}},'required':['c']}},'required':['b']}},'required':['a']}");
    s.put("consts", "{'type':'object','properties':{'version':{'const':2},'kind':{'const':'x'},"
        + "'meta':{'const':{'a':[1,'b']}}},'required':['version','kind','meta']}");
    s.put("phone-pattern", "{'type':'object','properties':{'phone':{'type':'string',"
        + "'pattern':'^\\\\+?[0-9]{1,3}-[0-9]{3}-[0-9]{4}$'},'ext':{'type':'string','pattern':'^(x|ext)\\\\d{2,4}$'}},"
        + "'required':['phone']}");
    s.put("code-lengths", "{'type':'object','properties':{'code':{'type':'string','minLength':3,'maxLength':6,"
        + "'pattern':'^[A-Za-z0-9]+$'},'note':{'type':'string','minLength':2,'maxLength':4}},"
        + "'required':['code','note']}");
    s.put("mixed-enum", "{'type':'object','properties':{'v':{'enum':[1,'two',3.5,true,null,{'a':1},[1,2]]}},"
        + "'required':['v']}");
    s.put("tuple", "{'type':'array','prefixItems':[{'type':'string','maxLength':6},{'type':'integer'},"
        + "{'type':'boolean'}],'items':false,'minItems':3}");
    s.put("definitions-draft7", "{'definitions':{'money':{'type':'object','properties':{'amount':{'type':'number',"
        + "'minimum':0},'currency':{'enum':['EUR','USD']}},'required':['amount','currency']}},"
        + "'type':'object','properties':{'price':{'$ref':'#/definitions/money'},'tax':{'$ref':"
        + "'#/definitions/money'}},'required':['price']}");
    s.put("linked-list", "{'type':'object','properties':{'value':{'type':'integer','minimum':0,'maximum':9},"
        + "'next':{'anyOf':[{'$ref':'#'},{'type':'null'}]}},'required':['value','next']}");
    s.put("all-optional", "{'type':'object','properties':{'a':{'type':'integer'},'b':{'type':'boolean'},"
        + "'c':{'type':'null'},'d':{'type':'string','maxLength':3}}}");
    s.put("big-integers", "{'type':'object','properties':{'big':{'type':'integer','minimum':-1000000,"
        + "'maximum':99999999999},'neg':{'type':'integer','exclusiveMaximum':-100}},'required':['big','neg']}");
    s.put("free-numbers", "{'type':'object','properties':{'n':{'type':'number'},'i':{'type':'integer'}},"
        + "'required':['n','i']}");
    s.put("any-value", "{}");
    s.put("any-object", "{'type':'object'}");
    s.put("allOf-single", "{'allOf':[{'type':'object','properties':{'x':{'type':'integer','minimum':5,"
        + "'maximum':5}},'required':['x']}]}");
    s.put("escaped-enum", "{'type':'object','properties':{'w':{'enum':['naïve','quo\\\"te','back\\\\\\\\slash',"
        + "'tab\\\\tx','日本語','emoji 😀']}},'required':['w']}");
    s.put("matrix", "{'type':'object','properties':{'rows':{'type':'array','items':{'type':'array',"
        + "'items':{'type':'integer','minimum':-9,'maximum':9},'minItems':1,'maxItems':3},'maxItems':3}},"
        + "'required':['rows']}");
    s.put("unicode-pattern", "{'type':'object','properties':{'word':{'type':'string',"
        + "'pattern':'^[α-ω]{2,5}( [À-ÿ]+)?$'}},'required':['word']}");
    return s;
  }

  /** JSON from the single-quoted form. */
  public static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }
}
