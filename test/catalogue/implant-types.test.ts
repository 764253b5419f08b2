import { describe, it, expect } from 'vitest';
import {
  IMPLANT_TYPES,
  descendantsOf,
  findImplantType,
  isQualityRegisterType,
  type ImplantType,
} from '../../src/catalogue/implant-types.js';

const byLevel = (level: ImplantType['level']): ImplantType[] => IMPLANT_TYPES.filter((t) => t.level === level);
const childrenOf = (code: string): ImplantType[] => IMPLANT_TYPES.filter((t) => t.parent === code);
const childNames = (code: string): string[] => childrenOf(code).map((t) => t.nameNl);
const byName = (nameNl: string, level: ImplantType['level']): ImplantType => {
  const hits = IMPLANT_TYPES.filter((t) => t.nameNl === nameNl && t.level === level);
  expect(hits, `${level} "${nameNl}"`).toHaveLength(1);
  return hits[0]!;
};

describe('implant-type catalogue: structure', () => {
  it('has 13 categories coded 01..13 in order', () => {
    expect(byLevel('category').map((c) => c.code)).toEqual(
      Array.from({ length: 13 }, (_, i) => String(i + 1).padStart(2, '0')),
    );
  });

  it('has unique codes', () => {
    const codes = IMPLANT_TYPES.map((t) => t.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('uses hierarchical two-digit codes matching level, parent and category', () => {
    for (const t of IMPLANT_TYPES) {
      const parts = t.code.split('.');
      expect(t.code).toMatch(/^\d{2}(\.\d{2}){0,2}$/);
      expect(t.level).toBe(['category', 'implant', 'component'][parts.length - 1]);
      expect(t.category).toBe(parts[0]);
      expect(t.parent).toBe(parts.length === 1 ? null : parts.slice(0, -1).join('.'));
      expect(t.nameNl.trim()).toBe(t.nameNl);
      expect(t.nameNl.length).toBeGreaterThan(0);
      expect(t.nameEn.length).toBeGreaterThan(0);
    }
  });

  it('every parent exists and has the right level', () => {
    for (const t of IMPLANT_TYPES) {
      if (t.level === 'category') {
        expect(t.parent).toBeNull();
        continue;
      }
      const parent = findImplantType(t.parent!);
      expect(parent, `parent of ${t.code}`).toBeDefined();
      expect(parent!.level).toBe(t.level === 'implant' ? 'category' : 'implant');
    }
  });

  it('keeps annex order (parents precede children, codes ascending)', () => {
    const codes = IMPLANT_TYPES.map((t) => t.code);
    expect(codes).toEqual([...codes].sort());
  });
});

describe('implant-type catalogue: contents match the annex', () => {
  // [implants, components] per category, counted by hand from the annex text
  const expected: Record<string, [number, number]> = {
    '01': [7, 34],
    '02': [4, 6],
    '03': [2, 0],
    '04': [12, 4],
    '05': [1, 3],
    '06': [6, 7],
    '07': [3, 3],
    '08': [3, 0],
    '09': [6, 0],
    '10': [3, 0],
    '11': [2, 0],
    '12': [3, 4],
    '13': [2, 0],
  };

  it('has the hand-checked number of implants and components per category', () => {
    for (const [cat, [implants, components]] of Object.entries(expected)) {
      const inCat = IMPLANT_TYPES.filter((t) => t.category === cat);
      expect(inCat.filter((t) => t.level === 'implant').length, `implants in ${cat}`).toBe(implants);
      expect(inCat.filter((t) => t.level === 'component').length, `components in ${cat}`).toBe(components);
    }
    expect(IMPLANT_TYPES).toHaveLength(13 + 54 + 61);
  });

  it('has the category names as written', () => {
    expect(byLevel('category').map((c) => c.nameNl)).toEqual([
      'Gewrichtsimplantaten',
      'Implantaten ten behoeve van incontinentie',
      'Gynaecologische implantaten',
      'Hartimplantaten',
      'Hersenstimulatoren',
      'Neurostimulatoren',
      'Medicatiepompen',
      'Gehoorimplantaten',
      'Vaatimplantaten',
      'Longimplantaten',
      'Implantaten ten behoeve van plastische chirurgie',
      'Urologische implantaten',
      'Intra-uteriene hulpmiddelen (spiraal)',
    ]);
  });

  it('hip prosthesis has exactly Acetabulum, Femursteel, Inlay, Femurkop', () => {
    const hip = findImplantType('01.01')!;
    expect(hip.nameNl).toBe('Heupprothese');
    expect(hip.nameEn).toBe('Hip prosthesis');
    expect(childNames('01.01')).toEqual(['Acetabulum', 'Femursteel', 'Inlay', 'Femurkop']);
    expect(findImplantType('01.01.02')!.nameEn).toBe('Femoral stem');
    expect(findImplantType('01.01.03')!.nameEn).toBe('Liner (inlay)');
  });

  it('joint implants have the listed components', () => {
    expect(childNames('01')).toEqual([
      'Heupprothese',
      'Knieprothese',
      'Enkelprothese',
      'Schouderprothese',
      'Elleboogprothese',
      'Polsprothese',
      'Vingerprothese',
    ]);
    expect(childNames(byName('Knieprothese', 'implant').code)).toEqual(['Femur', 'Tibia', 'Insert', 'Patella']);
    expect(childNames(byName('Enkelprothese', 'implant').code)).toEqual(['Tibia', 'Inlay', 'Talus']);
    expect(childNames(byName('Schouderprothese', 'implant').code)).toEqual([
      'Humerussteel',
      'Humeruskop',
      'Humerale liner',
      'Glenoïd baseplate',
      'Glenosfeer',
      'Glenoïdcomponent',
      'Metafyse',
    ]);
    expect(childNames(byName('Elleboogprothese', 'implant').code)).toHaveLength(4);
    expect(childNames(byName('Polsprothese', 'implant').code)).toHaveLength(8);
    expect(childNames(byName('Vingerprothese', 'implant').code)).toHaveLength(4);
  });

  it('category 4 contains the 6 intracardiac devices as separate implants', () => {
    const cardiac = childNames('04');
    const intracardiac = [
      'ASD sluiting devices',
      'VSD sluiting devices',
      'PDA sluiting devices',
      'Linker hartoor occluder',
      'Vascular plugs coronair',
      'Transcatheter valvuloplastiek device voor mitraalkleppositie',
    ];
    for (const name of intracardiac) expect(cardiac).toContain(name);
    expect(cardiac).toEqual([
      'Pacemakers en leads',
      'Implanteerbare Cardioverter Defibrillator',
      'Steunhart (RVAD-LVAD)',
      'Baroflex stimulator',
      'Hartkleppen',
      ...intracardiac,
      'Looprecorder',
    ]);
    expect(childNames(byName('Pacemakers en leads', 'implant').code)).toEqual(['Pacemaker', 'Leads']);
    expect(childNames(byName('Implanteerbare Cardioverter Defibrillator', 'implant').code)).toEqual(['ICD', 'Leads']);
    expect(byName('Steunhart (RVAD-LVAD)', 'implant').nameEn).toBe('Ventricular assist device (RVAD/LVAD)');
    expect(byName('Looprecorder', 'implant').nameEn).toBe('Implantable loop recorder');
  });

  it('category 9 lists the vascular stents a–c as separate implants', () => {
    expect(childNames('09').slice(0, 3)).toEqual([
      'Drug eluting stents (non-coronair)',
      'Oplosbare stents (non-coronair)',
      'Vasculaire stents intracranieel: flow diverters',
    ]);
    expect(childNames('09')[5]).toBe('Abdominale aortagraft');
  });

  it('neurostimulators, pumps and other components are as listed', () => {
    expect(childNames(byName('Diepe hersenstimulator', 'implant').code)).toEqual([
      'Intracraniele electrode',
      'Subcutane extensies',
      'Subcutane pulsegenerator',
    ]);
    expect(childNames(byName('Neuromodulator pijn', 'implant').code)).toEqual([
      'Epidurale lead',
      'Subcutane extensies',
      'Subcutane ipg',
    ]);
    expect(childNames(byName('Neurostimulator blaascontrole', 'implant').code)).toEqual(['Neurostimulator', 'Leads']);
    expect(childNames(byName('Nervus Vagus Stimulator', 'implant').code)).toEqual(['Pulsegenerator', 'Elektrode']);
    expect(childNames(byName('Intrathecale drug delivery system (IDDS)', 'implant').code)).toEqual([
      'Intrathecale catheter',
      'Subcutane portacath',
      'Subcutane pomp',
    ]);
    expect(childNames(byName('Incontinentieballon', 'implant').code)).toEqual(['Linkerballon', 'Rechterballon']);
    const fourPart = ['Manchet', 'Drukballon', 'Pompje', 'Connectors'];
    expect(childNames(byName('Sfincterprothese', 'implant').code)).toEqual(fourPart);
    expect(childNames(byName('Penisprothese Inflatable', 'implant').code)).toEqual(fourPart);
    expect(childNames(byName('Penisprothese Semirigide', 'implant').code)).toEqual([]);
  });
});

describe('quality-register types', () => {
  it('IUD category and its two implants are quality-register types', () => {
    expect(findImplantType('13')!.nameEn).toBe('Intrauterine devices (IUD)');
    expect(findImplantType('13.01')!.nameNl).toBe('Koperspiraal');
    expect(findImplantType('13.02')!.nameNl).toBe('Hormoonspiraal');
    for (const code of ['13', '13.01', '13.02']) expect(isQualityRegisterType(code)).toBe(true);
  });

  it('nothing else is a quality-register type', () => {
    expect(IMPLANT_TYPES.filter((t) => t.qualityRegister).map((t) => t.code)).toEqual(['13', '13.01', '13.02']);
  });

  it('unknown codes are not quality-register types', () => {
    expect(isQualityRegisterType('99')).toBe(false);
    expect(findImplantType('99')).toBeUndefined();
  });
});

describe('descendantsOf', () => {
  it('returns the code itself plus everything below it', () => {
    expect(descendantsOf('01.01')).toEqual(['01.01', '01.01.01', '01.01.02', '01.01.03', '01.01.04']);
    expect(descendantsOf('13')).toEqual(['13', '13.01', '13.02']);
    expect(descendantsOf('01.01.01')).toEqual(['01.01.01']);
    expect(descendantsOf('04')).toHaveLength(1 + 12 + 4);
    expect(descendantsOf('01')).toHaveLength(1 + 7 + 34);
  });

  it('does not match codes that merely share a prefix string', () => {
    expect(descendantsOf('01')).not.toContain('010');
    expect(descendantsOf('01').every((c) => c === '01' || c.startsWith('01.'))).toBe(true);
  });

  it('returns an empty list for unknown codes', () => {
    expect(descendantsOf('99')).toEqual([]);
    expect(descendantsOf('')).toEqual([]);
  });
});
